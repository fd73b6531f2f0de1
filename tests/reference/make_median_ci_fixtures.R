# Parity fixtures for cart_hsct.survival.median_symmetric_ci: a Kaplan-Meier median with a
# symmetric interval, median +- z SE(S(median)) / f, f the slope of the curve between the
# last event time with S >= 0.55 and the first with S <= 0.45 (Collett 2015, section 2.4).
# R has no function for it; the formula is written out on survfit() and on
# summary(survfit, times = median)$std.err, R's Greenwood standard error of S.
# Run from this folder: Rscript make_median_ci_fixtures.R
# Writes median_ci_data.csv, median_ci_results.json and median_ci_sessionInfo.txt.
suppressPackageStartupMessages(library(survival))
options(digits = 17)
source("json_writer.R")
writeLines(capture.output(sessionInfo()), "median_ci_sessionInfo.txt")

symmetric_ci <- function(time, event, median, alpha) {
  fit <- survfit(Surv(time, event) ~ 1)
  hit <- fit$n.event > 0
  times <- fit$time[hit]
  surv <- fit$surv[hit]
  u <- max(which(surv >= 0.55))
  l <- min(which(surv <= 0.45))
  slope <- (surv[u] - surv[l]) / (times[l] - times[u])
  se_s <- summary(fit, times = median, extend = TRUE)$std.err
  z <- qnorm(1 - alpha / 2)
  c(median - z * se_s / slope, median + z * se_s / slope)
}

set.seed(20261121)
sets <- list()
# 1. follow-up of a small cohort: whole days, ties, the reverse curve (censored = event)
n <- 30
t1 <- round(rexp(n, 1 / 900)) + 1
e1 <- rbinom(n, 1, 0.5)
sets[["followup"]] <- data.frame(set = "followup", time = t1, event = 1 - e1)
# 2. survival with many ties and censoring
n <- 60
t2 <- sample(1:40, n, replace = TRUE)
e2 <- rbinom(n, 1, 0.7)
sets[["ties"]] <- data.frame(set = "ties", time = t2, event = e2)
# 3. continuous times, no censoring
sets[["exact"]] <- data.frame(set = "exact", time = rweibull(25, 1.5, 10), event = 1)
data <- do.call(rbind, sets)
write.csv(data, "median_ci_data.csv", row.names = FALSE)

results <- list()
for (name in names(sets)) {
  d <- sets[[name]]
  med <- unname(quantile(survfit(Surv(time, event) ~ 1, data = d), 0.5)$quantile)
  for (alpha in c(0.05, 0.1)) {
    ci <- symmetric_ci(d$time, d$event, med, alpha)
    results[[length(results) + 1]] <- list(set = name, alpha = alpha, median = med,
                                           lower = ci[1], upper = ci[2])
  }
}
write_json(results, "median_ci_results.json")
