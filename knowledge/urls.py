from django.urls import path

from knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("articles/", views.ArticleListView.as_view(), name="article-list"),
    path("articles/suggest/", views.SuggestView.as_view(), name="suggest"),
    path("articles/images/<int:image_id>/", views.ArticleImageView.as_view(), name="image"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    path(
        "articles/<slug:slug>/feedback/",
        views.ArticleFeedbackView.as_view(),
        name="article-feedback",
    ),
    path(
        "articles/<slug:slug>/answered/",
        views.ArticleAnsweredView.as_view(),
        name="article-answered",
    ),
]
