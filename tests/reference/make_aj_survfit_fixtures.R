# Parity fixtures for cart_hsct.survival.cuminc(variance = "survfit"): the Aalen-Johansen
# curve of R survival::survfit with its infinitesimal-jackknife standard error.
# Run from this folder: Rscript make_aj_survfit_fixtures.R
# Reads the competing-risks data of make_survival_fixtures.R (survival_cr_edge.csv,
# survival_cr_random.csv); writes survival_cuminc_survfit.csv and its sessionInfo.
suppressPackageStartupMessages(library(survival))
options(digits = 17)
writeLines(capture.output(sessionInfo()), "survival_cuminc_survfit_sessionInfo.txt")

times <- c(0, 1, 2, 2.5, 5, 9, 20, 30)
rows <- list()
for (ds in c("cr_edge", "cr_random")) {
  d <- read.csv(sprintf("survival_%s.csv", ds))
  subsets <- c(list(all = d), split(d, d$group))
  for (g in names(subsets)) {
    s <- subsets[[g]]
    fit <- survfit(Surv(time, factor(status, 0:2)) ~ 1, data = s)
    at <- times[times <= max(s$time)]  # cmprsk and the Python kernel: NA beyond
    sm <- summary(fit, times = at)
    for (cause in 1:2) {
      p <- sm$pstate[, cause + 1]; se <- sm$std.err[, cause + 1]
      rows[[length(rows) + 1]] <- data.frame(
        dataset = ds, by = if (g == "all") "none" else "group", group = g, cause = cause,
        time = sm$time, estimate = p, variance = se^2,
        log_lower = ifelse(p > 0, p * exp(-qnorm(0.975) * se / p), NA),
        log_upper = ifelse(p > 0, pmin(p * exp(qnorm(0.975) * se / p), 1), NA))
    }
  }
}
write.csv(do.call(rbind, rows), "survival_cuminc_survfit.csv", row.names = FALSE)
