"""Icons, stylesheet and desktop-integration templates."""
