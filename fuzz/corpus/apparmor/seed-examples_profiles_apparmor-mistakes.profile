# A container profile with the usual mistakes; `kubeward apparmor lint` reports each one.
profile web-app flags=(complain) {
  file,
  network,
  capability,

  # Meant to stop writes to /etc: `audit` alone allows them (and logs).
  audit /etc/** w,

  # Everything writable, and /tmp both writable and executable.
  /** rw,
  /tmp/** rwix,

  # Runs a helper with no confinement at all.
  /usr/local/bin/helper Ux,

  mount,
  capability CAP_NET_ADMIN,
  /var/log/app/** rwq,
  deny @{PROC}/sysrq-trigger rwklx
}
}
