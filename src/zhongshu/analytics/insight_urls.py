"""Web pages of the segmentation, the effect report and the activity leaderboard (/analytics/)."""

from django.urls import path

from . import insight_views as views

app_name = "insight"

urlpatterns = [
    path("segments/", views.segment_list, name="segments"),
    path("segments/settings/", views.segment_settings, name="segment_settings"),
    path("segments/recompute/", views.segment_recompute, name="segment_recompute"),
    path("effect/", views.effect_report, name="effect"),
    path("effect.xlsx", views.effect_xlsx, name="effect_xlsx"),
    path("leaderboard/", views.leaderboard_page, name="leaderboard"),
]
