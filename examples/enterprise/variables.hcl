variable "change_id" {
  type        = string
  description = "The change ticket this run belongs to"
  default     = "CHG0050001"

  validation {
    condition     = can(regex("^CHG[0-9]{7}$", var.change_id))
    error_message = "change_id must look like CHG0050001."
  }
}

variable "noc_tag" {
  type    = string
  default = "runbook"
}
