"""MkDocs hook of a Policy History site: publishes the policies kept in git with their
history, redlines and feeds.

The event functions live in the ``policy_history`` package: installed with pip, or
found beside this file (MkDocs puts this folder on ``sys.path`` while it imports it).
"""

from policy_history.site.hook import *  # noqa: F403
