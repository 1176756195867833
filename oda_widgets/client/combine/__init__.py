"""Products of several jobs made one: light curves stitched, spectra summed, mosaics and catalogs
merged (what a request split into parts gives back as one product)."""
