"""The project layer: it composes the apps into one site (root URLconf, start page, main menu, demo
data) and is the only package that may import every app. No model lives here."""
