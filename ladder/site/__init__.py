"""The project apart from its apps: settings, the root URLs, serving, health, workers.

The apps (ladder, assessments) never import it; it imports them.
"""
