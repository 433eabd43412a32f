"""Reading and checking the input: spec document, Pydantic models, rules, monitoring/ checks."""
