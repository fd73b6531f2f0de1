# Minimal JSON writer in base R (jsonlite is not among Debian's default R packages here).
# Numbers are written with 17 significant digits so that fixtures keep full precision.
# Vectors are always written as arrays, named lists as objects.
to_json <- function(x) {
  if (is.list(x)) {
    nm <- names(x)
    items <- vapply(seq_along(x), function(i) {
      val <- to_json(x[[i]])
      if (is.null(nm)) val else paste0('"', nm[i], '": ', val)
    }, "")
    if (is.null(nm)) return(paste0("[", paste(items, collapse = ", "), "]"))
    return(paste0("{\n", paste(items, collapse = ",\n"), "\n}"))
  }
  if (is.null(x) || length(x) == 0) return("[]")
  if (is.character(x)) {
    v <- paste0('"', gsub('"', '\\\\"', gsub("\\\\", "\\\\\\\\", x)), '"')
  } else if (is.logical(x)) {
    v <- ifelse(is.na(x), "null", ifelse(x, "true", "false"))
  } else {
    v <- ifelse(is.na(x), "null", ifelse(is.infinite(x), ifelse(x > 0, "\"Inf\"", "\"-Inf\""),
                                          sprintf("%.17g", as.double(x))))
  }
  paste0("[", paste(v, collapse = ", "), "]")
}
write_json <- function(x, path) writeLines(to_json(x), path)
