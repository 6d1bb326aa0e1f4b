from .models import Region


def region_list(*, actor):
    return Region.objects.all()
