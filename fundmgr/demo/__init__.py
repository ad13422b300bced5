"""The seed department's demo data (DOMAIN.md section 7), kept readable in xjwf-2024.toml."""
