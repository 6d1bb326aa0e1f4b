from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("", views.home, name="home"),
    path("receivables.xlsx", views.receivables_xlsx, name="receivables_xlsx"),
    path("balances/", views.balances, name="balances"),
    path("customers/<str:code>/", views.customer, name="customer"),
    path(
        "adjustments/<int:adjustment_id>/reverse/",
        views.adjustment_reverse,
        name="adjustment_reverse",
    ),
    path("payments/new/", views.payment_new, name="payment_new"),
    path("payments/<int:payment_id>/", views.payment_detail, name="payment"),
    path("payments/<int:payment_id>/reverse/", views.payment_reverse, name="payment_reverse"),
    path("statement/", views.statement, name="statement"),
    path("statement/confirm/", views.statement_confirm, name="statement_confirm"),
    path("statement.xlsx", views.statement_xlsx, name="statement_xlsx"),
]
