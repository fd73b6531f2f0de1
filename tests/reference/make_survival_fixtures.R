# Parity fixtures for cart_hsct.survival (KM, log-rank, medians, follow-up).
# Run from this folder: Rscript make_survival_fixtures.R
# Writes survival_*.csv next to this script and survival_sessionInfo.txt.
suppressPackageStartupMessages(library(survival))
options(digits = 17)
out <- function(df, name) write.csv(df, name, row.names = FALSE)
writeLines(capture.output(sessionInfo()), "survival_sessionInfo.txt")

# ---- Data set 1: hand-built edge cases, rows shuffled -------------------------------
# A: ties within the group and heavy early censoring
# B: survival reaches 0 (last patient dies)
# C: no events at all
# D: S hits exactly 0.5 on a plateau (median = midpoint of the plateau)
# E: S ends on a plateau at exactly 0.5 (R: median = midpoint to the last follow-up)
# times 3, 5 and 8 are tied across groups
A <- data.frame(time = c(0.5, 0.5, 1, 1, 1, 2, 3, 3, 3, 5, 8, 8, 12, 15, 20),
                event = c(0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0), group = "A")
B <- data.frame(time = c(1, 3, 3, 4, 5, 6, 8, 9), event = c(1, 1, 0, 1, 1, 0, 1, 1), group = "B")
C <- data.frame(time = c(2, 3, 5, 7, 11), event = 0, group = "C")
D <- data.frame(time = c(1, 2, 3, 4, 5, 8, 9, 10, 11, 12), event = c(1, 1, 1, 1, 1, 1, 0, 1, 1, 0),
                group = "D")
E <- data.frame(time = c(1, 2, 3, 4), event = c(1, 1, 0, 0), group = "E")
set.seed(20240601)
edge <- rbind(A, B, C, D, E)
edge <- edge[sample(nrow(edge)), ]
out(edge, "survival_edge.csv")

# ---- Data set 2: random, n = 300, three groups, times rounded to create ties ------
set.seed(7)
n <- 300
g <- sample(c("x", "y", "z"), n, replace = TRUE, prob = c(0.5, 0.3, 0.2))
rate <- c(x = 0.05, y = 0.08, z = 0.12)[g]
tt <- rexp(n, rate)
cc <- runif(n, 0, 40)
cc[sample(n, 30)] <- runif(30, 0, 2)  # a burst of early censoring
rnd <- data.frame(time = round(pmin(tt, cc)), event = as.integer(tt <= cc), group = g)
out(rnd, "survival_random.csv")

datasets <- list(edge = edge, random = rnd)
ctypes <- c(plain = "plain", log = "log", `log-log` = "log-log", arcsine = "arcsin")
at_times <- c(0, 0.25, 1, 3, 4.5, 7, 12, 24, 1000)

km_rows <- list(); at_rows <- list(); med_rows <- list(); fu_rows <- list()
for (ds in names(datasets)) {
  d <- datasets[[ds]]
  for (ct in names(ctypes)) {
    fits <- c(list(all = survfit(Surv(time, event) ~ 1, d, conf.type = ctypes[[ct]])),
              lapply(split(d, d$group), function(x)
                survfit(Surv(time, event) ~ 1, x, conf.type = ctypes[[ct]])))
    for (gname in names(fits)) {
      f <- fits[[gname]]
      s <- summary(f, censored = TRUE)
      km_rows[[length(km_rows) + 1]] <- data.frame(
        dataset = ds, conf_type = ct, group = gname, time = s$time, at_risk = s$n.risk,
        events = s$n.event, censored = s$n.censor, survival = s$surv, std_err = s$std.err,
        ci_lower = s$lower, ci_upper = s$upper)
      s <- summary(f, times = at_times, extend = TRUE)
      at_rows[[length(at_rows) + 1]] <- data.frame(
        dataset = ds, conf_type = ct, group = gname, time = s$time, survival = s$surv,
        std_err = s$std.err, ci_lower = s$lower, ci_upper = s$upper)
      q <- quantile(f, 0.5)
      med_rows[[length(med_rows) + 1]] <- data.frame(
        dataset = ds, conf_type = ct, group = gname, median = unname(q$quantile),
        ci_lower = unname(q$lower), ci_upper = unname(q$upper))
      if (gname == "all") {
        # reverse Kaplan-Meier: censoring is the event
        fr <- survfit(Surv(time, 1 - event) ~ 1, d, conf.type = ctypes[[ct]])
        q <- quantile(fr, 0.5)
        fu_rows[[length(fu_rows) + 1]] <- data.frame(
          dataset = ds, conf_type = ct, median = unname(q$quantile),
          ci_lower = unname(q$lower), ci_upper = unname(q$upper))
      }
    }
  }
}
out(do.call(rbind, km_rows), "survival_km_table.csv")
out(do.call(rbind, at_rows), "survival_km_at.csv")
out(do.call(rbind, med_rows), "survival_km_median.csv")
out(do.call(rbind, fu_rows), "survival_median_followup.csv")

# ---- log-rank / Fleming-Harrington -------------------------------------------------
lr_rows <- list(); pw_rows <- list()
for (ds in names(datasets)) {
  d <- datasets[[ds]]
  subsets <- list(all = unique(d$group), first_two = sort(unique(d$group))[1:2])
  for (sname in names(subsets)) {
    x <- d[d$group %in% subsets[[sname]], ]
    for (rho in c(0, 1, 0.5)) {
      sd <- survdiff(Surv(time, event) ~ group, x, rho = rho)
      df <- sum(sd$exp > 0) - 1
      lr_rows[[length(lr_rows) + 1]] <- data.frame(
        dataset = ds, groups = sname, rho = rho, chi2 = sd$chisq, df = df,
        p = pchisq(sd$chisq, df, lower.tail = FALSE))
    }
  }
  # what survminer::pairwise_survdiff does: survdiff on each pair, p.adjust over pairs
  lev <- sort(unique(d$group))
  pr <- t(combn(lev, 2))
  chi <- apply(pr, 1, function(ab) survdiff(Surv(time, event) ~ group, d[d$group %in% ab, ])$chisq)
  p <- pchisq(chi, 1, lower.tail = FALSE)
  pw_rows[[length(pw_rows) + 1]] <- data.frame(
    dataset = ds, group_a = pr[, 1], group_b = pr[, 2], chi2 = chi, p = p,
    p_holm = p.adjust(p, "holm"), p_BH = p.adjust(p, "BH"))
}
out(do.call(rbind, lr_rows), "survival_logrank.csv")
out(do.call(rbind, pw_rows), "survival_pairwise_logrank.csv")

# ---- competing risks: cmprsk::cuminc, timepoints, Tests -----------------------------
suppressPackageStartupMessages(library(cmprsk))
# Edge data: ties within and across causes (time 2: one of each cause + a censoring),
# a group without cause-2 events, a group whose last patient fails from cause 1.
cr_edge <- data.frame(
  time = c(1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8,    1, 1, 2, 3, 4, 4, 6, 9, 9, 10,
           0.5, 2, 3, 3, 5, 6, 6),
  status = c(1, 1, 2, 0, 2, 2, 0, 1, 1, 0, 2, 1,  2, 1, 1, 0, 1, 1, 0, 2, 1, 1,
             0, 1, 1, 0, 1, 0, 1),
  group = rep(c("p", "q", "r"), c(12, 10, 7)))
set.seed(11)
cr_edge <- cr_edge[sample(nrow(cr_edge)), ]
out(cr_edge, "survival_cr_edge.csv")
set.seed(12)
n <- 250
g <- sample(c("u", "v", "w"), n, replace = TRUE)
t1 <- rexp(n, c(u = 0.04, v = 0.07, w = 0.05)[g]); t2 <- rexp(n, 0.05); cc <- runif(n, 0, 30)
tm <- round(pmin(t1, t2, cc))
st <- ifelse(cc <= pmin(t1, t2), 0, ifelse(t1 <= t2, 1, 2))
cr_rnd <- data.frame(time = tm, status = st, group = g)
out(cr_rnd, "survival_cr_random.csv")

cr_times <- c(0, 1, 2, 2.5, 5, 9, 20, 30, 1000)
ci_rows <- list(); test_rows <- list()
for (ds in c("cr_edge", "cr_random")) {
  d <- if (ds == "cr_edge") cr_edge else cr_rnd
  for (gby in c("none", "group")) {
    fit <- if (gby == "none") cuminc(d$time, d$status) else
      cuminc(d$time, d$status, d$group, rho = 0)
    tp <- timepoints(fit, cr_times)
    for (rn in rownames(tp$est)) {
      parts <- strsplit(rn, " ")[[1]]
      ci_rows[[length(ci_rows) + 1]] <- data.frame(
        dataset = ds, by = gby, group = if (gby == "none") "all" else parts[1],
        cause = as.integer(parts[2]), time = cr_times, estimate = tp$est[rn, ],
        variance = tp$var[rn, ])
    }
    if (gby == "group") {
      for (rho in c(0, 1)) {
        tst <- cuminc(d$time, d$status, d$group, rho = rho)$Tests
        test_rows[[length(test_rows) + 1]] <- data.frame(
          dataset = ds, rho = rho, cause = as.integer(rownames(tst)), stat = tst[, "stat"],
          p = tst[, "pv"], df = tst[, "df"])
      }
    }
  }
}
ci <- do.call(rbind, ci_rows)
# CIs as defined by cart_hsct.survival.cuminc (cmprsk has none); written here from
# R's estimates and variances so the Python transforms are checked against them.
z <- qnorm(0.975); se <- sqrt(ci$variance); F <- ci$estimate
ci$plain_lower <- pmax(F - z * se, 0); ci$plain_upper <- pmin(F + z * se, 1)
Fl <- ifelse(F > 0, F, NA)
ci$log_lower <- exp(log(Fl) - z * se / Fl); ci$log_upper <- pmin(exp(log(Fl) + z * se / Fl), 1)
Fll <- ifelse(F > 0 & F < 1, F, NA)
ci$loglog_lower <- Fll^exp(-z * se / (Fll * log(Fll)))
ci$loglog_upper <- Fll^exp(z * se / (Fll * log(Fll)))
out(ci, "survival_cuminc.csv")
out(do.call(rbind, test_rows), "survival_gray_test.csv")

# ---- maxstat.test ---------------------------------------------------------------------
suppressPackageStartupMessages(library(maxstat))
# marker with a step effect at 60 and ties in both marker and time
set.seed(13)
n <- 120
marker <- round(runif(n, 20, 100))
haz <- ifelse(marker > 60, 0.12, 0.04)
tt <- rexp(n, haz); cc <- runif(n, 5, 40)
ms <- data.frame(time = round(pmin(tt, cc), 1), event = as.integer(tt <= cc), marker = marker)
ms <- ms[sample(nrow(ms)), ]
out(ms, "survival_maxstat_data.csv")
ms_rows <- list(); curve_rows <- list()
for (pm in c("Lau94", "HL")) for (pr in list(c(0.1, 0.9), c(0.25, 0.75))) {
  r <- maxstat.test(Surv(time, event) ~ marker, ms, smethod = "LogRank", pmethod = pm,
                    minprop = pr[1], maxprop = pr[2])
  ms_rows[[length(ms_rows) + 1]] <- data.frame(
    pmethod = pm, minprop = pr[1], maxprop = pr[2], cutpoint = unname(r$estimate),
    statistic = unname(r$statistic), p = r$p.value)
  curve_rows[[length(curve_rows) + 1]] <- data.frame(
    pmethod = pm, minprop = pr[1], maxprop = pr[2], cutpoint = r$cuts, statistic = r$stats)
}
out(do.call(rbind, ms_rows), "survival_maxstat.csv")
out(do.call(rbind, curve_rows), "survival_maxstat_curve.csv")
