# Parity fixtures for two fixed-time statistics of cart_hsct.survival:
#   km_compare_at: the z-test of two Kaplan-Meier estimates at one time,
#     z = (S1 - S2) / sqrt(se1^2 + se2^2), se from summary(survfit(...), times = t,
#     extend = TRUE)$std.err (Greenwood); R has no function for it, so it is written out on
#     survfit. A curve at 0 has no spread left: its variance counts as 0 (R prints NaN).
#   cuminc(..., absent = "zero", extend = TRUE): cumulative incidence at a time after the
#     last follow-up keeps its last value, R's summary(survfit(Surv(time, factor(status))
#     ~ 1), times = t, extend = TRUE) and cmprsk's timepoints() at min(t, last time); a
#     cause nobody has is 0 with variance 0 (survfit's pstate and std.err).
# Run from this folder: Rscript make_fixed_time_fixtures.R
# Writes fixed_time_data.csv, fixed_time_km.csv, fixed_time_cuminc.csv and
# fixed_time_sessionInfo.txt.
suppressPackageStartupMessages({library(survival); library(cmprsk)})
options(digits = 17)
writeLines(capture.output(sessionInfo()), "fixed_time_sessionInfo.txt")

set.seed(20261122)
sets <- list()
# 1. tiny, by hand: ties across groups, censoring at an event time, unsorted rows
sets[["tiny"]] <- data.frame(set = "tiny", time = c(5, 2, 8, 5, 3, 10, 4, 6, 6, 9, 1, 7),
                             event = c(1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0),
                             status = c(1, 2, 0, 0, 1, 2, 1, 1, 0, 2, 1, 0),
                             group = rep(c("a", "b"), 6))
# 2. one group dies out before the landmark (its estimate and variance are 0)
sets[["dies_out"]] <- data.frame(set = "dies_out", time = c(30, 60, 90, 120, 200, 400, 500, 700, 900, 1200),
                                 event = c(1, 1, 1, 1, 1, 1, 0, 1, 0, 0),
                                 status = c(1, 2, 1, 1, 2, 1, 0, 1, 0, 0),
                                 group = c("x", "x", "x", "x", "x", "y", "y", "y", "y", "y"))
# 3. random, whole days, many ties, one group without any cause-2 event
n <- 80
g <- sample(c("p", "q"), n, replace = TRUE)
st <- ifelse(runif(n) < 0.35, 0, ifelse(runif(n) < 0.6, 1, 2))
st[g == "q" & st == 2] <- 1
sets[["random"]] <- data.frame(set = "random", time = sample(1:60, n, replace = TRUE),
                               event = as.integer(st > 0), status = st, group = g)
data <- do.call(rbind, sets)
write.csv(data, "fixed_time_data.csv", row.names = FALSE)

km_rows <- list()
cif_rows <- list()
for (name in names(sets)) {
  d <- sets[[name]]
  levels_ <- sort(unique(d$group))
  at_times <- switch(name, tiny = c(0.5, 3, 5, 9, 12), dies_out = c(100, 365, 1000),
                     random = c(10, 30, 59, 80))
  for (t in at_times) {
    est <- lapply(levels_, function(l) {
      s <- summary(survfit(Surv(time, event) ~ 1, data = d[d$group == l, ]),
                   times = t, extend = TRUE)
      c(s$surv, ifelse(s$surv == 0, 0, s$std.err^2))
    })
    diff <- est[[1]][1] - est[[2]][1]
    se <- sqrt(est[[1]][2] + est[[2]][2])
    z <- if (se > 0) diff / se else NA
    km_rows[[length(km_rows) + 1]] <- data.frame(
      set = name, time = t, group_a = levels_[1], group_b = levels_[2],
      survival_a = est[[1]][1], survival_b = est[[2]][1], difference = diff,
      std_err = se, z = z, p = if (is.na(z)) NA else 2 * pnorm(-abs(z)))
  }
  for (l in levels_) {
    dl <- d[d$group == l, ]
    for (cause in c(1, 2)) {
      fit <- survfit(Surv(time, factor(status, levels = c(0, 1, 2))) ~ 1, data = dl)
      s <- summary(fit, times = at_times, extend = TRUE)
      col <- cause + 1  # pstate columns: event-free, cause 1, cause 2
      cm <- if (any(dl$status == cause)) {
        ci <- cuminc(dl$time, dl$status)
        row <- paste("1", cause)
        # one call per time: timepoints() drops repeated times
        tp <- lapply(pmin(at_times, max(dl$time)), function(u) timepoints(ci, u))
        list(est = sapply(tp, function(x) x$est[row, 1]), var = sapply(tp, function(x) x$var[row, 1]))
      } else list(est = rep(0, length(at_times)), var = rep(0, length(at_times)))
      cif_rows[[length(cif_rows) + 1]] <- data.frame(
        set = name, group = l, cause = cause, time = at_times,
        estimate = s$pstate[, col], survfit_var = s$std.err[, col]^2,
        cmprsk_estimate = cm$est, cmprsk_var = cm$var)
    }
  }
}
write.csv(do.call(rbind, km_rows), "fixed_time_km.csv", row.names = FALSE)
write.csv(do.call(rbind, cif_rows), "fixed_time_cuminc.csv", row.names = FALSE)
