"""The address book: customers to invoice, each linked to its provider-side customer by the invoicing ID."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haulbill.tenancy.scoping import CompanyOwned

from . import numbers


class VatRegime(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic (Belgian VAT)")
    INTRA_EU = "intra_eu", _("Intra-EU reverse charge")
    EXPORT = "export", _("Outside the EU / export-linked (exempt)")
    EXEMPT = "exempt", _("Exempt")


class SendMethod(models.TextChoices):
    NONE = "", _("Do not send (push only)")
    PEPPOL = "peppol", _("Peppol")
    EMAIL = "email", _("E-mail")


class Customer(CompanyOwned):
    reference = models.CharField(_("customer reference in the TMS"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=200)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    enterprise_number = models.CharField(_("enterprise number"), max_length=20, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="BE")
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES, default="en")
    invoicing_provider = models.CharField(_("invoicing provider"), max_length=20, blank=True)
    invoicing_id = models.CharField(
        _("invoicing ID"),
        max_length=40,
        blank=True,
        help_text=_(
            "The customer's ID in the invoicing platform (in Billit: the number after Customer/ in the address bar)."
        ),
    )
    payment_delay_days = models.PositiveIntegerField(
        _("payment delay (days)"), null=True, blank=True, help_text=_("Empty: the company's default.")
    )
    vat_regime = models.CharField(_("VAT regime"), max_length=10, choices=VatRegime.choices, blank=True)
    invoice_reference = models.CharField(
        _("customer reference for invoices"),
        max_length=100,
        blank=True,
        help_text=_("Purchase order or reference the customer wants on every invoice (Peppol buyer reference)."),
    )
    peppol_identifier = models.CharField(_("Peppol identifier"), max_length=60, blank=True)
    invoice_per_transport = models.BooleanField(_("one invoice per transport"), default=False)
    send_method = models.CharField(_("sending"), max_length=10, choices=SendMethod.choices, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "invoicing_provider", "invoicing_id"],
                condition=~Q(invoicing_id=""),
                name="invoicing_id_unique_per_company_and_provider",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "name"]),
            models.Index(fields=["company", "vat_number"]),
            models.Index(fields=["company", "reference"]),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            self.vat_number = numbers.normalise_vat(self.vat_number, self.country)
        except numbers.NumberError as exc:
            errors["vat_number"] = str(exc)
        try:
            self.enterprise_number = numbers.normalise_enterprise_number(self.enterprise_number, self.country)
        except numbers.NumberError as exc:
            errors["enterprise_number"] = str(exc)
        if not errors:
            self.fill_derived_numbers()
        if errors:
            raise ValidationError(errors)

    def fill_derived_numbers(self) -> None:
        if not self.enterprise_number and self.country.upper() == "BE":
            self.enterprise_number = numbers.enterprise_number_from_vat(self.vat_number)
        derived = numbers.peppol_identifier(self.country, self.vat_number, self.enterprise_number)
        if derived:
            self.peppol_identifier = derived

    @property
    def is_linked(self) -> bool:
        return bool(self.invoicing_id)

    @property
    def address_line(self) -> str:
        return ", ".join(p for p in [self.street, f"{self.postcode} {self.city}".strip(), self.country] if p)


class LinkMethod(models.TextChoices):
    VAT = "vat", _("same VAT number")
    ENTERPRISE = "enterprise", _("same enterprise number")
    NAME = "name", _("similar name, same postcode and city")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("to review")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class LinkProposal(CompanyOwned):
    """A possible link between a customer and a provider-side customer, waiting for a person to decide.

    Decided proposals are kept: a rejected pair is never proposed again.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="link_proposals")
    provider = models.CharField(_("provider"), max_length=20)
    remote_id = models.CharField(_("invoicing ID"), max_length=40)
    remote_name = models.CharField(_("name in the invoicing platform"), max_length=200, blank=True)
    remote_vat_number = models.CharField(_("VAT number in the invoicing platform"), max_length=30, blank=True)
    remote_postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    remote_city = models.CharField(_("city"), max_length=100, blank=True)
    method = models.CharField(_("method"), max_length=12, choices=LinkMethod.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    ambiguous = models.BooleanField(
        _("ambiguous"), default=False, help_text=_("Several candidates are as likely: choose by hand.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("link proposal")
        verbose_name_plural = _("link proposals")
        ordering = ["-score", "customer__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "provider", "remote_id"], name="one_proposal_per_pair"),
        ]
        indexes = [models.Index(fields=["company", "status", "score"])]

    def __str__(self) -> str:
        return f"{self.customer_id} -> {self.remote_id} ({self.method} {self.score})"
