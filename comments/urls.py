from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("blog/<slug:slug>/comments/", views.post_comment, name="post"),
    path("comments/review/<str:token>/", views.review_comment, name="review"),
]
