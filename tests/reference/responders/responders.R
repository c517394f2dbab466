# Reference values for outcomes.models.responders, from base R.
# Run from the repository's top folder:  Rscript tests/reference/responders/responders.R
# Made with R 4.2.2 (Debian bookworm r-base-core): stats::glm, stats::prop.test.
# Responder: HAM-D17 change <= -50% of baseline. Randomised: every PATIENT in the file. A patient
# without a row at the visit is missing: "non-responder" counts them as 0, "exclude" drops them.
d <- read.csv("tests/datasets/antidepressant_data.csv", colClasses = c(VISIT = "character"))
d$resp <- as.numeric(d$CHANGE / d$BASVAL <= -0.5)
pts <- d[!duplicated(d$PATIENT), c("PATIENT", "THERAPY", "BASVAL")]
newcombe <- function(k1, n1, k2, n2) {  # Newcombe (1998) method 10, from Wilson intervals
  w1 <- prop.test(k1, n1, correct = FALSE)$conf.int
  w2 <- prop.test(k2, n2, correct = FALSE)$conf.int
  p1 <- k1 / n1; p2 <- k2 / n2
  c(p1 - p2 - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2),
    p1 - p2 + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
rows <- list()
for (rule in c("non-responder", "exclude")) {
  for (v in c("4", "5", "6", "7")) {
    at <- merge(pts, d[d$VISIT == v, c("PATIENT", "resp")], by = "PATIENT", all.x = TRUE)
    if (rule == "non-responder") at$resp[is.na(at$resp)] <- 0 else at <- at[!is.na(at$resp), ]
    k1 <- sum(at$resp[at$THERAPY == "DRUG"]); n1 <- sum(at$THERAPY == "DRUG")
    k2 <- sum(at$resp[at$THERAPY == "PLACEBO"]); n2 <- sum(at$THERAPY == "PLACEBO")
    ci <- newcombe(k1, n1, k2, n2)
    at$arm <- as.numeric(at$THERAPY == "DRUG")
    fit <- glm(resp ~ arm + BASVAL, family = binomial, data = at,
               control = glm.control(epsilon = 1e-14, maxit = 100))
    wald <- confint.default(fit)["arm", ]
    rows[[paste(rule, v)]] <- data.frame(
      missing_rule = rule, VISIT = v, n = n1, responders = k1, n_reference = n2,
      responders_reference = k2, risk_difference = k1 / n1 - k2 / n2, rd_conf_low = ci[1],
      rd_conf_high = ci[2], odds_ratio = exp(coef(fit)["arm"]), or_conf_low = exp(wald[1]),
      or_conf_high = exp(wald[2]), or_p_value = summary(fit)$coefficients["arm", 4])
  }
}
write.csv(do.call(rbind, rows), "tests/reference/responders/antidepressant_responders.csv",
          row.names = FALSE)
writeLines(R.version.string, "tests/reference/responders/versions.txt")
