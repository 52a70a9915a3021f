"""Panel control: transports, vendor codecs, CEC, schedule and desired-state reconciler."""
