"""A finished job's products: decoding the dispatcher's encodings (restricted unpickling
included) into astropy-native product types."""
