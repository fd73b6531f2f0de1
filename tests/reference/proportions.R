# Reference values for tests/test_proportions.py (cart_hsct.proportions).
# Run from this folder: Rscript proportions.R  (needs base R + survival, cmprsk).
# Writes proportions_ci.csv, proportions_2x2.csv, proportions_cif.csv and
# proportions.sessionInfo.txt; commit them with this script.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
writeLines(capture.output(sessionInfo()), "proportions.sessionInfo.txt")

cases <- data.frame(k = c(7, 8, 2, 4, 4, 2, 6, 3, 75, 18, 1, 9, 5),
                    n = c(10, 10, 7, 7, 11, 6, 9, 11, 95, 95, 28, 10, 7))
rows <- list()
for (i in seq_len(nrow(cases))) {
  k <- cases$k[i]; n <- cases$n[i]
  # binomial intervals
  bt <- binom.test(k, n)$conf.int
  pt <- prop.test(k, n, correct = FALSE)$conf.int
  rows[[length(rows) + 1]] <- data.frame(k = k, n = n, method = "clopper-pearson",
                                         lower = bt[1], upper = bt[2])
  rows[[length(rows) + 1]] <- data.frame(k = k, n = n, method = "wilson",
                                         lower = pt[1], upper = pt[2])
  # Kaplan-Meier without censoring before the landmark: n - k events, k survivors
  time <- c(seq_len(n - k) / (n - k + 1), rep(2, k)); status <- c(rep(1, n - k), rep(0, k))
  for (ct in c("plain", "log", "log-log", "arcsin", "logit")) {
    s <- summary(survfit(Surv(time, status) ~ 1, conf.type = ct), times = 1)
    rows[[length(rows) + 1]] <- data.frame(k = k, n = n,
      method = ifelse(ct == "arcsin", "arcsine", ct), lower = s$lower, upper = s$upper)
  }
}
write.csv(do.call(rbind, rows), "proportions_ci.csv", row.names = FALSE)

# 2x2 tests: k1/n1 vs k2/n2
tests <- data.frame(k1 = c(10, 25, 25, 6, 7, 12), n1 = c(10, 27, 28, 9, 7, 40),
                    k2 = c(3, 3, 3, 13, 3, 30), n2 = c(7, 7, 7, 86, 7, 45))
out <- list()
for (i in seq_len(nrow(tests))) {
  with(tests[i, ], {
    m <- matrix(c(k1, n1 - k1, k2, n2 - k2), 2, byrow = TRUE)
    out[[i]] <<- data.frame(k1, n1, k2, n2,
      fisher = fisher.test(m)$p.value,
      chisq_yates = suppressWarnings(chisq.test(m, correct = TRUE)$p.value),
      chisq = suppressWarnings(chisq.test(m, correct = FALSE)$p.value))
  })
}
write.csv(do.call(rbind, out), "proportions_2x2.csv", row.names = FALSE)

# Landmark cumulative incidence without censoring: k events (cause 1), c competing
# events (cause 2), the rest event-free beyond the landmark (time 2).
# survfit's Aalen-Johansen (infinitesimal-jackknife variance) and cmprsk's variance.
cif <- data.frame(k = c(8, 41, 2, 3, 75), n = c(95, 95, 11, 7, 95), c = c(0, 0, 7, 2, 10))
out <- list()
for (i in seq_len(nrow(cif))) {
  k <- cif$k[i]; n <- cif$n[i]; cc <- cif$c[i]; m <- k + cc
  for (order in c("events-first", "competing-first")) {
    codes <- if (order == "events-first") c(rep(1, k), rep(2, cc)) else c(rep(2, cc), rep(1, k))
    time <- c(seq_len(m) / (m + 1), rep(2, n - m)); status <- c(codes, rep(0, n - m))
    v <- timepoints(cuminc(time, status), 1)$var[1, 1]
    aj <- summary(survfit(Surv(time, factor(status, 0:2)) ~ 1), times = 1)
    out[[length(out) + 1]] <- data.frame(k = k, n = n, competing = cc, order = order,
      estimate = aj$pstate[1, 2], aj_std_err = aj$std.err[1, 2],
      aj_log_lower = aj$lower[1, 2], aj_log_upper = aj$upper[1, 2], cmprsk_var = v)
  }
}
write.csv(do.call(rbind, out), "proportions_cif.csv", row.names = FALSE)
