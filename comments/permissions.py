"""Who may moderate: the permission and the group that holds it."""

MODERATE_PERMISSION = "comments.moderate_comment"
MODERATORS_GROUP = "Moderators"
# Exactly what moderating needs: see the queue, and change a comment's status.
MODERATORS_GROUP_PERMISSIONS = [("comments", "view_comment"), ("comments", "moderate_comment")]
