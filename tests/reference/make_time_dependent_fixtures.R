# Parity fixtures for cart_hsct.survival.time_dependent (split at an exposure day,
# Simon-Makuch Kaplan-Meier, Mantel-Byar test).
# Run from this folder: Rscript make_time_dependent_fixtures.R
# Writes td_*.csv (data and R results), td_mantel_byar.json and td_sessionInfo.txt.
# Needs only survival (Debian r-cran-survival).
#
# R has no Mantel-Byar function. Its statistic is checked two ways:
#  (a) mantel_byar_by_hand() below: observed minus expected deaths and the hypergeometric
#      variance summed over the distinct death times, the risk sets taken by each
#      interval's *current* exposure status (Mantel & Byar 1974);
#  (b) on td_noties (no tied death times) the score test of
#      coxph(Surv(tstart, tstop, death) ~ exposed), which equals it there.
suppressPackageStartupMessages(library(survival))
options(digits = 17)
source("json_writer.R")
writeLines(capture.output(sessionInfo()), "td_sessionInfo.txt")
out <- function(df, name) write.csv(df, name, row.names = FALSE)

# ---- data sets: one row per patient (id, time, event, exposure_day) -------------------
# 1. edge: hand-built, rows shuffled. Exposure on day 0 (exposed throughout, ids 1, 11),
#    on the death day (id 2) and on the censoring day (id 6): never exposed at the event,
#    after the end of follow-up (id 3), missing = never exposed (ids 5, 9), every exposed
#    patient dies (the exposed curve reaches 0), deaths tied across the two statuses
#    (day 20), the last time is a censoring (id 10).
edge <- data.frame(
  id = 1:12,
  time = c(10, 20, 30, 40, 50, 5, 20, 25, 8, 60, 20, 45),
  event = c(1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1),
  exposure_day = c(0, 20, 35, 15, NA, 5, 12, 3, NA, 70, 0, 44)
)
set.seed(31)
edge <- edge[sample(nrow(edge)), ]
out(edge, "td_edge.csv")

# 2. random: n = 150, whole days (many tied deaths, exposures on death days), a lower
#    hazard after exposure; some exposure days fall after death or censoring.
set.seed(2026)
n <- 150
expo <- ifelse(runif(n) < 0.55, ceiling(runif(n, 0, 120)), NA)
expo[sample(which(!is.na(expo)), 3)] <- 0
t_pre <- ceiling(rexp(n, 1 / 150))
after <- !is.na(expo) & expo < t_pre
t_death <- ifelse(after, expo + ceiling(rexp(n, 1 / 400)), t_pre)
cens <- ceiling(runif(n, 30, 700))
time <- pmin(t_death, cens)
random <- data.frame(id = seq_len(n), time = time, event = as.integer(t_death <= cens),
                     exposure_day = expo)
# three patients exposed on the very day they die or are censored
tie <- sample(which(is.na(random$exposure_day)), 3)
random$exposure_day[tie] <- random$time[tie]
out(random, "td_random.csv")

# 3. noties: n = 80, continuous times (4 decimals), no two deaths at the same time and
#    no exposure on a death time, so that the Mantel-Byar statistic equals coxph's score test.
set.seed(77)
n <- 80
expo <- ifelse(runif(n) < 0.5, round(runif(n, 0, 30), 4), NA)
t_pre <- round(rexp(n, 1 / 40), 4)
after <- !is.na(expo) & expo < t_pre
t_death <- ifelse(after, expo + round(rexp(n, 1 / 90), 4), t_pre)
cens <- round(runif(n, 10, 150), 4)
noties <- data.frame(id = seq_len(n), time = pmin(t_death, cens),
                     event = as.integer(t_death <= cens), exposure_day = expo)
stopifnot(!anyDuplicated(noties$time[noties$event == 1]),
          !any(noties$exposure_day %in% noties$time[noties$event == 1]))
out(noties, "td_noties.csv")

# ---- split at the exposure day: survival::tmerge with tdc() -----------------------------
# tdc(exposure_day): exposed on (exposure_day, end]; no split when the exposure day is at
# or after the end of follow-up (never exposed); exposed from the start when it is day 0.
split_r <- function(d) {
  base <- tmerge(d[, c("id", "time", "event")], d, id = id, death = event(time, event))
  td <- tmerge(base, d, id = id, exposed = tdc(exposure_day))
  td$exposed[is.na(td$exposed)] <- 0   # tdc of an NA exposure day: never exposed
  td <- td[order(td$id, td$tstart), ]
  data.frame(id = td$id, start = td$tstart, stop = td$tstop, event = td$death,
             exposed = as.integer(td$exposed))
}
data_sets <- list(edge = edge, random = random, noties = noties)
splits <- lapply(data_sets, split_r)
out(do.call(rbind, lapply(names(splits), function(k) cbind(dataset = k, splits[[k]]))),
    "td_split.csv")

# 4. delayed: counting-process data as they come, fixed groups with delayed entry
#    (left truncation): patients enter the risk set at 'start' > 0 (e.g. survival on the
#    time scale of an earlier treatment, entering at a later one).
set.seed(808)
n <- 90
grp <- rbinom(n, 1, 0.3)
entry <- ceiling(ifelse(grp == 1, runif(n, 90, 250), runif(n, 30, 90)))
surv_time <- ceiling(rexp(n, 1 / 500))
cens <- ceiling(runif(n, 100, 1500))
delayed <- data.frame(id = seq_len(n), start = entry, stop = entry + pmin(surv_time, cens),
                      event = as.integer(surv_time <= cens), exposed = grp)
out(delayed, "td_delayed.csv")
splits$delayed <- delayed

# ---- Simon-Makuch: survfit on (start, stop] rows by current exposure ---------------------
sm <- list()
for (k in names(splits)) {
  d <- splits[[k]]
  for (ct in c("log", "log-log", "plain")) {
    fit <- survfit(Surv(start, stop, event) ~ exposed, d, conf.type = ct)
    s <- summary(fit, censored = TRUE)
    sm[[length(sm) + 1]] <- data.frame(
      dataset = k, conf_type = ct, group = as.integer(sub("exposed=", "", s$strata)),
      time = s$time, at_risk = s$n.risk, events = s$n.event, censored = s$n.censor,
      survival = s$surv, std_err = s$std.err, ci_lower = s$lower, ci_upper = s$upper)
  }
}
out(do.call(rbind, sm), "td_simon_makuch.csv")

# ---- Mantel-Byar ----------------------------------------------------------------------
mantel_byar_by_hand <- function(start, stop, event, exposed) {
  death_times <- sort(unique(stop[event == 1]))
  o1 <- e1 <- v <- 0
  for (t in death_times) {
    at_risk <- start < t & stop >= t            # risk set by the status held at t
    n <- sum(at_risk)
    n1 <- sum(at_risk & exposed == 1)
    d <- sum(stop == t & event == 1)
    d1 <- sum(stop == t & event == 1 & exposed == 1)
    o1 <- o1 + d1
    e1 <- e1 + d * n1 / n
    if (n > 1) v <- v + d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
  }
  total <- sum(event)
  chi2 <- (o1 - e1)^2 / v
  list(chi2 = chi2, df = 1, p = pchisq(chi2, 1, lower.tail = FALSE), variance = v,
       observed = c(total - o1, o1), expected = c(total - e1, e1))
}
mb <- lapply(splits, function(d) with(d, mantel_byar_by_hand(start, stop, event, exposed)))
# (b) the score test of the time-dependent Cox model: equal to (a) without tied deaths
score <- coxph(Surv(start, stop, event) ~ exposed, splits$noties)$score
mb$noties$coxph_score <- unname(score)
mb$noties$coxph_score_p <- pchisq(unname(score), 1, lower.tail = FALSE)
stopifnot(abs(mb$noties$coxph_score - mb$noties$chi2) < 1e-8)
write_json(mb, "td_mantel_byar.json")
cat("wrote td_edge.csv, td_random.csv, td_noties.csv, td_delayed.csv, td_split.csv,",
    "td_simon_makuch.csv, td_mantel_byar.json\n")
