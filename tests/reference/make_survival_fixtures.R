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
# times 3, 5 and 8 are tied across groups
A <- data.frame(time = c(0.5, 0.5, 1, 1, 1, 2, 3, 3, 3, 5, 8, 8, 12, 15, 20),
                event = c(0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 0), group = "A")
B <- data.frame(time = c(1, 3, 3, 4, 5, 6, 8, 9), event = c(1, 1, 0, 1, 1, 0, 1, 1), group = "B")
C <- data.frame(time = c(2, 3, 5, 7, 11), event = 0, group = "C")
D <- data.frame(time = c(1, 2, 3, 4, 5, 8, 9, 10, 11, 12), event = c(1, 1, 1, 1, 1, 1, 0, 1, 1, 0),
                group = "D")
set.seed(20240601)
edge <- rbind(A, B, C, D)
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
