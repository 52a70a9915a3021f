"""Operations: sd_notify, status file, signals, logging."""
