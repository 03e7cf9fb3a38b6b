"""Sending: the send consumer (at most once per send key) and the sweeper that brings parked and lost emails back."""
