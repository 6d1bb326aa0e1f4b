from zhongshu.accounts import permissions


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_roles": sorted(permissions.roles_of(user))}
