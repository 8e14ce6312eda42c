print("signet: not yet")
