"""Long requests: more science windows than one job takes, split into parts and recombined."""
