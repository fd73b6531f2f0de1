# Round-trip fixture: a small cohort with known patient data, simulated in R, that the
# reconstruction engine must recover from its summaries (tests/test_reconstruct_roundtrip.py).
# Run from tests/reference: Rscript roundtrip_cohort.R
set.seed(20240611)
writeLines(capture.output(sessionInfo()), "roundtrip_cohort.sessionInfo.txt")
accrual_days <- as.integer(as.Date("2018-12-31") - as.Date("2016-01-01"))
horizon <- as.integer(as.Date("2020-12-31") - as.Date("2016-01-01"))
make <- function(group, n, mean_days) {
  x <- rbinom(n, 1, 0.4)
  entry <- sample(0:accrual_days, n, replace = TRUE)
  fu <- horizon - entry
  death <- 1L + as.integer(floor(rexp(n, rate = 1 / mean_days) / ifelse(x == 1, 1.8, 1)))
  data.frame(group = group, x = x, entry_day = entry, followup_days = fu,
             death_day = ifelse(death <= fu, death, NA_integer_))
}
d <- rbind(make("A", 14, 1400), make("B", 12, 450))
d$os_days <- pmin(ifelse(is.na(d$death_day), Inf, d$death_day), d$followup_days)
d$os_event <- as.integer(!is.na(d$death_day))
write.csv(d, "roundtrip_cohort.csv", row.names = FALSE, na = "")
