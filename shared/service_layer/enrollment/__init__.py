"""Enrolling prospects in campaigns: by ids at once, by filter as a job in slices; lifecycle of one enrollment."""
