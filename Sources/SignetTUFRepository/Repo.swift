// repo
