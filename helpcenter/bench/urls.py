from django.urls import path

from helpcenter.bench.views import floor
from helpcenter.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("bench/floor/", floor, name="bench-floor"), *site_urlpatterns]
