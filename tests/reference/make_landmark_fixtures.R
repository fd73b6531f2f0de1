# Parity fixtures for cart_hsct.survival.landmark (landmark analysis of a later exposure).
# Run from this folder: Rscript make_landmark_fixtures.R
# Reads td_edge.csv and td_random.csv (written by make_time_dependent_fixtures.R); writes
# landmark_results.csv and landmark_sessionInfo.txt. Needs only survival.
suppressPackageStartupMessages(library(survival))
options(digits = 17)
writeLines(capture.output(sessionInfo()), "landmark_sessionInfo.txt")

landmark <- function(base, L, restrict) {
  # restricted: only odd ids may enter (a stand-in for "could still be exposed")
  eligible <- if (restrict) base$id %% 2 == 1 else rep(TRUE, nrow(base))
  d <- subset(base, time > L & eligible)
  d$exposed <- as.integer(!is.na(d$exposure_day) & d$exposure_day <= L)
  row <- data.frame(n = nrow(d), events = sum(d$event), exposed = sum(d$exposed))
  if (length(unique(d$exposed)) < 2) {
    return(cbind(row, hr = NA, ci_lower = NA, ci_upper = NA, p = NA, logrank_p = NA))
  }
  fit <- coxph(Surv(time - L, event) ~ exposed, data = d)
  s <- summary(fit)
  lr <- survdiff(Surv(time - L, event) ~ exposed, data = d)
  cbind(row, hr = s$conf.int[1, "exp(coef)"], ci_lower = s$conf.int[1, "lower .95"],
        ci_upper = s$conf.int[1, "upper .95"], p = s$coefficients[1, "Pr(>|z|)"],
        logrank_p = pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE))
}

rows <- list()
for (name in c("edge", "random")) {
  base <- read.csv(paste0("td_", name, ".csv"))
  for (L in c(0, 10, 30, 60)) {
    for (restrict in c(FALSE, TRUE)) {
      rows[[length(rows) + 1]] <- cbind(dataset = name, landmark = L, restricted = restrict,
                                        landmark(base, L, restrict))
    }
  }
}
write.csv(do.call(rbind, rows), "landmark_results.csv", row.names = FALSE)
