"""Administration across sites: the sites API and ``engage site``, the overview page.

May import the features (comments, moderation, moderators, pageviews, queue); none of them
imports this package.
"""
