"""Admin console: a small Vietnamese web app to keep the assistant's data and models current."""
