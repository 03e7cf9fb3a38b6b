"""Inboxes: the sending identities, their validated shapes and the rules on their DNS."""
