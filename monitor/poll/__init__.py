"""The poll cycle: ``cycle`` is the only module that knows the order of the stages."""
