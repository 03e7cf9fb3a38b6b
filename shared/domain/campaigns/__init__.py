"""Campaigns, pure domain logic: send windows and delays in recipient time, holidays, inbox pacing, policies."""
