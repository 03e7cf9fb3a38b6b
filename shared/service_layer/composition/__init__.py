"""Composition: turning a due campaign step into a draft (the AI gateway, the template composer, validation)."""
