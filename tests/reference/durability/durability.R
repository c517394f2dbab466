# Reference values for outcomes.models.durability, from R's survival package.
# Run from the repository's top folder:  Rscript tests/reference/durability/durability.R
# Made with R 4.2.2 and survival 3.5-3 (Debian bookworm).
# Response: HAM-D17 change <= -50% of baseline. At risk from the first visit with response;
# relapse at the first later visit without it; else censored at the last visit. Time in RELDAYS.
library(survival)
d <- read.csv("tests/datasets/antidepressant_data.csv", colClasses = c(VISIT = "character"))
d$resp <- d$CHANGE / d$BASVAL <= -0.5
d <- d[order(d$PATIENT, d$RELDAYS), ]
rows <- list()
for (p in unique(d$PATIENT)) {
  s <- d[d$PATIENT == p, ]
  if (!any(s$resp)) next
  k <- which(s$resp)[1]
  lost <- which(!s$resp & seq_len(nrow(s)) > k)
  if (length(lost)) { end <- s$RELDAYS[lost[1]]; ev <- 1 } else { end <- s$RELDAYS[nrow(s)]; ev <- 0 }
  rows[[as.character(p)]] <- data.frame(PATIENT = p, THERAPY = s$THERAPY[1],
                                        onset = s$RELDAYS[k], time = end - s$RELDAYS[k], event = ev)
}
rt <- do.call(rbind, rows)
write.csv(rt, "tests/reference/durability/antidepressant_relapse_times.csv", row.names = FALSE)
km <- survfit(Surv(time, event) ~ THERAPY, data = rt, conf.type = "log")
sk <- summary(km)
write.csv(data.frame(THERAPY = sub("THERAPY=", "", sk$strata), time = sk$time,
                     at_risk = sk$n.risk, events = sk$n.event, survival = sk$surv,
                     std_error = sk$std.err, conf_low = sk$lower, conf_high = sk$upper),
          "tests/reference/durability/antidepressant_km.csv", row.names = FALSE)
rt$THERAPY <- factor(rt$THERAPY, levels = c("PLACEBO", "DRUG"))
cx <- coxph(Surv(time, event) ~ THERAPY, data = rt, ties = "efron")
ci <- exp(confint(cx))
write.csv(data.frame(contrast = "DRUG vs PLACEBO", hazard_ratio = exp(coef(cx)),
                     conf_low = ci[1], conf_high = ci[2],
                     p_value = summary(cx)$coefficients[1, 5], events = cx$nevent, n = cx$n),
          "tests/reference/durability/antidepressant_cox.csv", row.names = FALSE)
writeLines(c(R.version.string, paste("survival", packageVersion("survival"))),
           "tests/reference/durability/versions.txt")
