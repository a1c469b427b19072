"""Versioned prompt files and their loader. Imports nothing of ours."""

from prompts.loader import load_prompt

__all__ = ["load_prompt"]
