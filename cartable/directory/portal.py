"""The directory's entries in the portal: the "Annuaire" app and the home widgets about one's people."""
