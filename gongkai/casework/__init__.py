"""The disclosure work that produces a report's numbers: requests on their legal clock, fees,
appeals, the proactive register, and the year's tables computed from them."""
