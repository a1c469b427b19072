"""Chat-model providers: the offline planner and LLM back ends, looked up by name."""
