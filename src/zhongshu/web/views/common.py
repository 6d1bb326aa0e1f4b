from django.shortcuts import redirect


def home(request):
    if request.user.is_authenticated:
        return redirect("web:order_list")
    return redirect("web:login")
