"""The Caspian corridor study: its sourced default dataset, profiles and scenarios."""
