//! Token storage: JSON string, 0600 files, garth/garminconnect readers, OS keyring. (Being written.)
