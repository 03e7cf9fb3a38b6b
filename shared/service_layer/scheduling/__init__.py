"""The scheduler's work: the sending tick (what is due, for whom, from which inbox) and the weekly maintenance."""
