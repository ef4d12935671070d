from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def floor(request):
    """The framework floor: the cheapest signed-in page this stack serves (two queries: the
    session and the user). Every page's throughput is reported as a ratio to it."""
    return render(request, "bench/floor.html", {"email": request.user.email})
