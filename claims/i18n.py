# ruff: noqa: E501  (a message catalogue reads best one message per line)
"""Interface strings in Arabic and English, and the request's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, g, request, session

LANGUAGES = ("ar", "en")

# key: (Arabic, English).  Keys under "error." are field/validation messages.
MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("متتبّع الادعاءات", "Claims tracker"),
    "app.tagline": ("تحقق من الادعاءات العربية", "Arabic fact-check desk"),
    "nav.claims": ("الادعاءات", "Claims"),
    "nav.new_claim": ("ادعاء جديد", "New claim"),
    "nav.entities": ("الكيانات", "Entities"),
    "nav.sources": ("المصادر", "Sources"),
    "nav.users": ("المستخدمون", "Users"),
    "nav.login": ("تسجيل الدخول", "Log in"),
    "nav.logout": ("تسجيل الخروج", "Log out"),
    "nav.switch_lang": ("English", "العربية"),
    "nav.main": ("التنقل الرئيسي", "Main navigation"),
    "role.viewer": ("قارئ", "Viewer"),
    "role.editor": ("محرر", "Editor"),
    "role.admin": ("مدير", "Admin"),
    "auth.title": ("تسجيل الدخول", "Log in"),
    "auth.username": ("اسم المستخدم", "Username"),
    "auth.password": ("كلمة المرور", "Password"),
    "auth.submit": ("دخول", "Log in"),
    "auth.failed": ("اسم المستخدم أو كلمة المرور غير صحيحة.", "Wrong username or password."),
    "auth.throttled": ("محاولات كثيرة. حاول بعد دقيقة.", "Too many attempts. Try again in a minute."),
    "auth.logged_out": ("تم تسجيل الخروج.", "You have been logged out."),
    "claims.title": ("الادعاءات", "Claims"),
    "claims.search_placeholder": ("ابحث باسم كيان أو نص: بوتين، «قال بوتين»، -أوكرانيا…",
                                  "Search by entity or text: بوتين, \"قال بوتين\", -أوكرانيا…"),
    "claims.search_help": ("بين علامتي تنصيص (\"…\" أو «…»): كلمات متتالية بهذا الترتيب. "
                           "وشرطة قبل كلمة (-أوكرانيا) تستبعد الادعاءات التي فيها.",
                           "In quotes (\"…\" or «…»): words next to each other, in that order. "
                           "A minus before a word (-أوكرانيا) leaves out claims with it."),
    "claims.search_only_excluded": ("الشرطة تستبعد كلمات فقط؛ أضف كلمة تبحث عنها.",
                                    "A minus only leaves words out; add a word to search for."),
    "claims.search_dropped": ("يُستعمل أول {phrases} عبارات مقتبسة وأول {excluded} كلمات مستبعدة فقط؛ تُرك الباقي.",
                              "Only the first {phrases} quoted phrases and {excluded} excluded words are used; the rest were left out."),
    "claims.search": ("بحث", "Search"),
    "claims.filters": ("تصفية", "Filters"),
    "claims.clear_filters": ("مسح التصفية", "Clear filters"),
    "claims.empty": ("لا توجد ادعاءات مطابقة.", "No matching claims."),
    "claims.count": ("{n} ادعاء", "{n} claims"),
    "claims.matched_entities": ("الكيانات المطابقة", "Matching entities"),
    "claims.any": ("الكل", "Any"),
    "claims.exclude_demonyms": ("استبعد صفات النسبة (الروسية، الأذربيجاني…)", "Leave out demonyms (Russian, Azerbaijani…)"),
    "suggest.title": ("أسماء مقترحة", "Suggested names"),
    "suggest.help": ("أسماء وجدها نموذج التعرف على الكيانات ولا يعرفها المعجم بعد.", "Names the entity recogniser found that the gazetteer does not know yet."),
    "suggest.create": ("إنشاء كيان", "Create entity"),
    "suggest.existing": ("أو اسم كيان موجود", "or an existing entity"),
    "suggest.link": ("ربط كاسم بديل", "Add as alias"),
    "claims.with_number": ("يتضمن رقمًا", "Contains a number"),
    "claims.any_number": ("أي رقم", "Any number"),
    "claim.quantities": ("الأرقام في الادعاء", "Numbers in the claim"),
    "quantity.approx": ("تقريبي", "approximate"),
    "quantity.bound.gt": ("أكثر من", "more than"),
    "quantity.bound.ge": ("لا يقل عن", "at least"),
    "quantity.bound.lt": ("أقل من", "less than"),
    "quantity.bound.le": ("لا يزيد عن", "at most"),
    "quantity.bound.up_to": ("يصل إلى", "up to"),
    "quantity.of": ("من أصل", "out of"),
    "unit.person": ("أشخاص", "people"),
    "unit.citizen": ("مواطنون", "citizens"),
    "unit.metre": ("متر", "metres"),
    "unit.kilometre": ("كيلومتر", "kilometres"),
    "unit.year": ("سنوات", "years"),
    "unit.month": ("أشهر", "months"),
    "unit.day": ("أيام", "days"),
    "unit.percent": ("نسبة مئوية", "percent"),
    "unit.usd": ("دولار", "US dollars"),
    "unit.missile": ("صواريخ", "missiles"),
    "unit.count": ("عدد", "count"),
    "unit.year_date": ("سنة", "year"),
    "unit.date": ("تاريخ", "date"),
    "unit.aircraft": ("طائرات", "aircraft"),
    "mention.method.variant": ("تهجئة بديلة", "spelling variant"),
    "mention.method.short_form": ("اسم مختصر", "short form"),
    "mention.confirmed": ("مؤكَّد", "confirmed"),
    "mention.confirm": ("تأكيد الربط", "Confirm link"),
    "mention.reject": ("رفض الربط", "Reject link"),
    "claims.date_from": ("من تاريخ", "From date"),
    "claims.date_to": ("إلى تاريخ", "To date"),
    "claims.prev": ("السابق", "Previous"),
    "claims.next": ("التالي", "Next"),
    "claims.page": ("صفحة {page} من {pages}", "Page {page} of {pages}"),
    "claim.text": ("نص الادعاء كما ورد", "Claim as quoted"),
    "claim.restatement": ("صياغة تحريرية", "Editorial restatement"),
    "claim.speaker": ("القائل", "Speaker"),
    "claim.new_speaker_kind": ("هذا القائل ليس بين الكيانات بعد. أنشئه مع الادعاء كيانًا جديدًا من نوع:", "This speaker is not among the entities yet. Create it with the claim as a new entity of kind:"),
    "claim.new_speaker_none": ("— لا تنشئه —", "— do not create it —"),
    "claim.source": ("المصدر", "Source"),
    "claim.source_url": ("رابط مصدر جديد", "New source URL"),
    "claim.source_title": ("عنوان المصدر الجديد", "New source title"),
    "claim.source_choose": ("اختر مصدرًا موجودًا", "Choose an existing source"),
    "claim.source_or_new": ("أو أضف مصدرًا جديدًا", "or add a new source"),
    "claim.claim_date": ("تاريخ الادعاء", "Claim date"),
    "claim.claim_type": ("نوع الادعاء", "Claim type"),
    "claim.tags": ("الوسوم", "Tags"),
    "claim.tags_help": ("افصل بين الوسوم بفاصلة", "Separate tags with commas"),
    "claim.status": ("الحالة", "Status"),
    "claim.entities": ("الكيانات المذكورة", "Entities mentioned"),
    "claim.evidence": ("الأدلة", "Evidence"),
    "claim.history": ("السجل", "History"),
    "claim.created": ("أنشئ", "Created"),
    "claim.added": ("أُضيف", "added"),
    "claim.updated": ("آخر تحديث", "Updated"),
    "claim.by": ("بواسطة", "by"),
    "claim.edit": ("تعديل", "Edit"),
    "claim.save": ("حفظ", "Save"),
    "claim.create": ("إنشاء الادعاء", "Create claim"),
    "claim.new_title": ("ادعاء جديد", "New claim"),
    "claim.edit_title": ("تعديل الادعاء", "Edit claim"),
    "claim.in_source": ("في سياقه من المصدر", "In its source"),
    "claim.no_entities": ("لم يُربط أي كيان بعد.", "No entity linked yet."),
    "claim.no_evidence": ("لا توجد أدلة بعد.", "No evidence yet."),
    "claim.no_history": ("لا يوجد سجل.", "No history."),
    "claim.no_speaker": ("غير محدد", "Not set"),
    "claim.change_status": ("تغيير الحالة", "Change status"),
    "claim.note": ("ملاحظة", "Note"),
    "claim.apply": ("تطبيق", "Apply"),
    "claim.created_ok": ("تم إنشاء الادعاء.", "Claim created."),
    "form.already_saved": ("حُفظ هذا النموذج من قبل، فلم يُحفظ مرة ثانية. هذا ما حفظه.", "This form was already saved, so it was not saved twice. Here is what it saved."),
    "claim.saved_ok": ("تم حفظ التعديلات.", "Changes saved."),
    "claim.status_ok": ("تم تغيير الحالة.", "Status changed."),
    "claim.conflict": ("عدّل شخص آخر هذا الادعاء بعد أن فتحته. هذه حالته الحالية (الإصدار {version})؛ لم يُحفظ تعديلك.",
                       "Someone else changed this claim after you opened it. This is its current state (version {version}); your change was not saved."),
    "claim.edit_conflict": ("حفظ شخص آخر هذا الادعاء (الإصدار {version} الآن) بعد أن فتحته. تعديلاتك في النموذج أدناه ولم تُحفظ بعد، والنسخة المحفوظة هنا. قارن بينهما، ثم احفظ مجدداً لتحلّ تعديلاتك محلها.",
                            "Someone else saved this claim (now version {version}) after you opened it. Your changes are in the form below, not saved yet; the saved version is here. Compare them, then save again to replace it."),
    "claim.edit_published": ("لهذا الادعاء حكم منشور: ما تغيّره هنا يظهر في المراجعة العامة (ClaimReview) مع تاريخ التعديل.",
                             "This claim has a published verdict: what you change here appears in the public review (ClaimReview), with the date it was modified."),
    "claim.edit_conflict_discard": ("تجاهل تعديلاتي وافتح الادعاء", "Discard my changes and open the claim"),
    "claim.version": ("الإصدار", "Version"),
    "claim.from_to": ("من {from_} إلى {to}", "from {from_} to {to}"),
    "claim.created_status": ("أنشئ بحالة {to}", "created as {to}"),
    "claim.demonym": ("صفة نسبة", "demonym"),
    "claim.appearances": ("نُشر أيضًا في", "Also published at"),
    "appearance.add": ("إضافة موضع نشر", "Add where it appeared"),
    "appearance.url": ("الرابط", "URL"),
    "appearance.title": ("العنوان", "Title"),
    "appearance.date": ("تاريخ النشر", "Published"),
    "appearance.remove": ("إزالة", "Remove"),
    "appearance.remove_confirm": ("إزالة موضع النشر هذا؟", "Remove this appearance?"),
    "appearance.added_ok": ("أضيف موضع النشر.", "Appearance added."),
    "appearance.removed_ok": ("أزيل موضع النشر.", "Appearance removed."),
    "evidence.add": ("إضافة دليل", "Add evidence"),
    "evidence.url": ("الرابط", "URL"),
    "evidence.title": ("العنوان", "Title"),
    "evidence.publisher": ("الناشر", "Publisher"),
    "evidence.kind": ("النوع", "Kind"),
    "evidence.stance": ("الموقف", "Stance"),
    "evidence.note": ("ملاحظة", "Note"),
    "evidence.accessed": ("تاريخ الاطلاع", "Accessed"),
    "evidence.remove": ("حذف", "Remove"),
    "evidence.remove_confirm": ("حذف هذا الدليل؟ لا يمكن التراجع عن ذلك.",
                                "Remove this evidence? This cannot be undone."),
    "evidence.added_ok": ("أضيف الدليل.", "Evidence added."),
    "evidence.removed_ok": ("حذف الدليل.", "Evidence removed."),
    "evidence.kind.primary": ("وثيقة أولية", "Primary document"),
    "evidence.kind.official": ("تصريح رسمي", "Official statement"),
    "evidence.kind.news": ("تقرير إخباري", "News report"),
    "evidence.kind.expert": ("خبير", "Expert"),
    "evidence.kind.dataset": ("بيانات", "Dataset"),
    "evidence.kind.other": ("أخرى", "Other"),
    "evidence.stance.supports": ("يدعم", "Supports"),
    "evidence.stance.refutes": ("يدحض", "Refutes"),
    "evidence.stance.context": ("سياق", "Context"),
    "type.quantity": ("كمّي", "Quantity"),
    "type.prediction": ("توقّع", "Prediction"),
    "type.correlation": ("ارتباط/سببية", "Correlation or causation"),
    "type.rule": ("قاعدة/قانون", "Rule or law"),
    "type.personal": ("تجربة شخصية", "Personal experience"),
    "type.voting": ("سجل تصويت", "Voting record"),
    "type.opinion": ("رأي", "Opinion"),
    "type.other": ("أخرى", "Other"),
    "entity.kind.person": ("شخص", "Person"),
    "entity.kind.place": ("مكان", "Place"),
    "entity.kind.organisation": ("منظمة", "Organisation"),
    "entity.kind.other": ("أخرى", "Other"),
    "entity.aliases": ("الأسماء البديلة", "Aliases"),
    "entity.claims": ("الادعاءات المرتبطة", "Claims mentioning it"),
    "entity.said": ("ادعاءات قالها", "Claims said by it"),
    "entity.status_counts": ("حسب الحالة", "By status"),
    "entity.add_alias": ("إضافة اسم بديل", "Add alias"),
    "entity.alias_text": ("الاسم", "Name"),
    "entity.alias_kind": ("النوع", "Kind"),
    "entity.alias_lang": ("اللغة", "Language"),
    "entity.alias_added": ("أضيف الاسم البديل وأعيد ربط {n} ادعاء.", "Alias added; {n} claims re-linked."),
    "entity.alias_removed": ("حذف الاسم البديل وأعيد ربط {n} ادعاء.", "Alias removed; {n} claims re-linked."),
    "entity.wikidata": ("ويكي بيانات", "Wikidata"),
    "entity.search": ("ابحث عن كيان", "Find an entity"),
    "entity.empty": ("لا توجد كيانات مطابقة.", "No matching entities."),
    "entity.new": ("كيان جديد", "New entity"),
    "entity.name_ar": ("الاسم بالعربية", "Arabic name"),
    "entity.name_en": ("الاسم بالإنجليزية", "English name"),
    "entity.kind": ("النوع", "Kind"),
    "entity.create": ("إنشاء", "Create"),
    "entity.distinct": ("هذا كيان آخر يحمل الاسم نفسه", "This is a different entity with the same name"),
    "entity.open_twin": ("افتح الكيان الموجود #{id}", "Open the existing entity #{id}"),
    "entity.created_ok": ("تم إنشاء الكيان.", "Entity created."),
    "entity.name_history": ("سجل الأسماء", "Name history"),
    "alias.remove": ("حذف هذا الاسم", "Remove this name"),
    "alias.remove_confirm": ("حذف الاسم «{alias}»؟ ستُعاد مطابقة الادعاءات التي ذكرته.",
                             "Remove the name “{alias}”? Claims that mention it are re-linked."),
    "alias.kind.name": ("اسم", "Name"),
    "alias.kind.short": ("اسم مختصر", "Short form"),
    "alias.kind.demonym": ("صفة نسبة", "Demonym"),
    "alias.kind.translit": ("نقحرة", "Transliteration"),
    "lang.ar": ("العربية", "Arabic"),
    "lang.en": ("الإنجليزية", "English"),
    "lang.other": ("أخرى", "Other"),
    "source.title": ("المصادر", "Sources"),
    "source.outlet": ("الوسيلة", "Outlet"),
    "source.published": ("تاريخ النشر", "Published"),
    "source.dateline": ("الافتتاحية", "Dateline"),
    "source.claims": ("ادعاءات من هذا المصدر", "Claims from this source"),
    "source.text": ("النص", "Text"),
    "source.empty": ("لا مصادر بعد؛ أدخل مقالًا لتبدأ.", "No sources yet; ingest an article to start."),
    "users.title": ("المستخدمون", "Users"),
    "users.create": ("إضافة مستخدم", "Add user"),
    "users.role": ("الدور", "Role"),
    "users.active": ("نشط", "Active"),
    "users.created_ok": ("تمت إضافة المستخدم.", "User added."),
    "users.updated_ok": ("تم تحديث المستخدم.", "User updated."),
    "common.save": ("حفظ", "Save"),
    "common.cancel": ("إلغاء", "Cancel"),
    "common.yes": ("نعم", "Yes"),
    "common.no": ("لا", "No"),
    "common.none": ("—", "—"),
    "common.became": ("←", "→"),  # from one state to the next, in the reading direction
    "common.view": ("عرض", "View"),
    "common.fix_errors": ("لم يُحفظ شيء. صحّح الحقول المشار إليها.", "Nothing was saved. Please fix the fields marked below."),
    "error.title": ("حدث خطأ", "Something went wrong"),
    "error.404": ("الصفحة غير موجودة.", "Page not found."),
    "error.403": ("ليست لديك صلاحية لهذا الإجراء.", "You do not have permission to do this."),
    "error.400": ("طلب غير صالح. ربما انتهت صلاحية النموذج؛ أعد تحميل الصفحة وحاول مجددًا.", "Bad request. The form may have expired; reload the page and try again."),
    "error.401": ("يلزم تسجيل الدخول.", "You need to log in."),
    "error.413": ("الطلب أو الملف المرفوع أكبر من الحد المسموح.", "The request or the uploaded file is larger than allowed."),
    "error.415": ("نوع المحتوى المرسل غير مدعوم.", "The content type sent is not supported."),
    "error.idempotency_key_reused": ("استُعمل مفتاح Idempotency-Key هذا من قبل لطلب مختلف؛ أرسل كل طلب جديد بمفتاح جديد.", "This Idempotency-Key was already used for a different request; send each new request with a new key."),
    "error.bad_idempotency_key": ("مفتاح Idempotency-Key من 1 إلى 255 حرفًا لاتينيًا مطبوعًا.", "An Idempotency-Key is 1 to 255 printable ASCII characters."),
    "error.bad_host": ("لا يجيب الموقع على هذا العنوان؛ افتحه من عنوانه المعتاد.", "This site does not answer at that address; open it at its usual address."),
    "error.csrf": ("انتهت صلاحية النموذج: انتهت جلستك أو سجّلت الخروج في نافذة أخرى، فلم يُحفظ شيء. افتح النموذج من جديد (وسجّل الدخول إن طُلب منك) ثم أرسله.", "The form has expired: your session ended or you logged out in another window, so nothing was saved. Open the form again (logging in if asked) and send it."),
    "error.csrf_kept": ("هذا ما كتبته في النموذج؛ انسخه قبل مغادرة هذه الصفحة:", "Here is what you typed in the form; copy it before leaving this page:"),
    "error.4xx": ("تعذّر تنفيذ الطلب كما أُرسل. لم يُحفظ شيء.", "The request could not be handled as sent. Nothing was saved."),
    "error.405": ("هذه الطريقة غير مسموحة.", "Method not allowed."),
    "error.409": ("تعارض: عدّل شخص آخر هذا السجل.", "Conflict: someone else changed this record."),
    "error.422": ("بيانات غير صالحة.", "Invalid input."),
    "error.429": ("طلبات كثيرة. حاول لاحقًا.", "Too many requests. Try again later."),
    "error.500": ("خطأ داخلي. لم يُحفظ أي شيء من هذا الطلب.", "Internal error. Nothing from this request was saved."),
    "error.back_home": ("العودة إلى الادعاءات", "Back to claims"),
    "error.required": ("هذا الحقل مطلوب.", "This field is required."),
    "error.duplicate_appearance": ("هذا الرابط مسجّل أصلًا لهذا الادعاء.", "This URL is already recorded for this claim."),
    "error.unknown_field": ("حقل غير معروف: {value}. الحقول المقبولة هنا: {fields}.", "Unknown field: {value}. The fields accepted here: {fields}."),
    "error.duplicate_field": ("الحقل {value} مذكور أكثر من مرة في الطلب؛ أرسله مرة واحدة.", "The field {value} is given more than once; send it once."),
    "error.empty_body": ("أرسل حقلًا واحدًا على الأقل لتعديله.", "Send at least one field to change."),
    "error.too_long": ("النص أطول من المسموح (أقصى عدد للأحرف: {max}).", "Too long (at most {max} characters)."),
    "error.unknown_status": ("حالة غير معروفة: {value}.", "Unknown status: {value}."),
    "error.same_status": ("الادعاء بهذه الحالة أصلًا.", "The claim already has this status."),
    "error.bad_url": ("رابط غير صالح؛ يجب أن يبدأ بـ https أو http، مثل https://example.org", "Not a valid URL; it must start with http:// or https://."),
    "error.unknown_entity": ("لا يوجد كيان بهذا الاسم: {value}. أنشئه أولًا من صفحة الكيانات.", "No entity with this name: {value}. Create it first on the Entities page."),
    "error.unknown_speaker": ("لا يوجد كيان بهذا الاسم: {value}. اختر نوعه لإنشائه مع الادعاء، أو اختر كيانًا موجودًا.", "No entity with this name: {value}. Choose its kind to create it with the claim (new_speaker_kind), or name an existing entity."),
    "error.ambiguous_entity": ("الاسم {value} يطابق أكثر من كيان؛ اختر من القائمة.", "{value} matches more than one entity; pick one from the list."),
    "error.missing_source": ("اختر مصدرًا أو أدخل رابط مصدر جديد.", "Choose a source or enter a new source URL."),
    "error.unknown_source": ("المصدر غير موجود.", "That source does not exist."),
    "error.date_before_start": ("التاريخ {value} يسبق تاريخ البداية {start}.", "{value} is before the start date {start}."),
    "error.future_date": ("التاريخ {value} في المستقبل؛ يجب أن يكون قد مضى.", "{value} is in the future; it must have happened already."),
    "error.bad_date": ("تاريخ غير صالح؛ استخدم الصيغة YYYY-MM-DD.", "Not a valid date; use YYYY-MM-DD."),
    # Field names, for a message shown away from its field (a flash after a redirect).
    "field.text": ("النص", "Text"),
    "field.entity": ("الكيان", "Entity"),
    "field.kind": ("النوع", "Kind"),
    "field.lang": ("اللغة", "Language"),
    "field.speaker": ("القائل", "Speaker"),
    "field.span_start": ("بداية المقطع المحدد", "Start of the selection"),
    "field.span_end": ("نهاية المقطع المحدد", "End of the selection"),
    "field.selected": ("النص المحدد", "Selected text"),
    "field.same_as": ("الادعاء المطابق", "Same claim as"),
    "field.other_id": ("الادعاء الآخر", "Other claim"),
    "field.relation": ("العلاقة", "Relation"),
    "field.status": ("الحالة", "Status"),
    "field.username": ("اسم المستخدم", "Username"),
    "field.password": ("كلمة المرور", "Password"),
    "field.display_name": ("الاسم الظاهر", "Display name"),
    "field.role": ("الدور", "Role"),
    "field.is_active": ("نشط", "Active"),
    "list.comma": ("، ", ", "),  # between the items of a list in running text
    "problem.line": ("السطر {line}: ", "line {line}: "),
    "error.bad_characters": ("يحتوي على محارف لا يمكن حفظها (محرف NUL أو ترميز غير صالح).", "Contains characters that cannot be stored (a NUL character or invalid Unicode)."),
    "error.unstorable": ("رفضت قاعدة البيانات إحدى القيم المرسلة؛ لم يُحفظ شيء.", "The database refused one of the values sent; nothing was saved."),
    "error.bad_type": ("نوع القيمة غير صحيح؛ المتوقع: {expected}.", "Wrong type of value; expected: {expected}."),
    "error.bad_wikidata": ("معرّف ويكي بيانات غير صالح: {value}. اكتبه هكذا: Q7747.", "Not a Wikidata id: {value}. Write it like Q7747."),
    "error.bad_choice": ("قيمة غير مسموحة: {value}.", "Value not allowed: {value}."),
    "error.out_of_range": ("القيمة {value} خارج المجال المسموح ({min}–{max}).", "{value} is out of range ({min}–{max})."),
    "error.too_many_items": ("عناصر كثيرة جدًا (الحد {max}).", "Too many items (at most {max})."),
    "error.bad_span": ("موضع النص في المصدر غير صالح.", "The span in the source is not valid."),
    "error.bad_version": ("رقم الإصدار مفقود أو غير صالح.", "The version number is missing or invalid."),
    "error.duplicate": ("موجود مسبقًا.", "Already exists."),
    "error.too_many_tags": ("عدد الوسوم كبير جدًا (الحد {max}).", "Too many tags (at most {max})."),
    "error.last_admin": ("هذا آخر مدير نشط؛ أضف مديرًا آخر أولًا.", "This is the last active admin; make someone else an admin first."),
    "error.weak_password": ("كلمة المرور قصيرة (12 حرفًا على الأقل).", "Password too short (at least 12 characters)."),
    "error.bad_username": ("اسم المستخدم: أحرف لاتينية وأرقام و . _ - فقط.", "Username: Latin letters, digits, . _ - only."),
    "error.not_found": ("غير موجود.", "Not found."),
    "error.no_letters": ("لا يحتوي على أي حرف (التطويل والتشكيل وعلامات الاتجاه والأرقام وحدها ليست اسمًا).", "Contains no letters (tatweel, diacritics, direction marks or digits alone are not a name)."),
    "error.function_word": ("«{value}» حرف أو أداة وحدها، وليس اسمًا.", "“{value}” is a lone particle or function word, not a name."),
    "error.too_short": ("«{value}» قصير جدًا؛ الاسم حرفان على الأقل.", "“{value}” is too short; a name has at least two letters."),
    "error.alias_exists": ("لهذا الكيان الاسم «{alias}» أصلًا.", "This entity already has the name “{alias}”."),
    "error.exists": ("يوجد كيان من النوع نفسه بهذا الاسم: {name} (#{entity_id}). إن كان كيانًا آخر يحمل الاسم نفسه فأكّد ذلك ثم أعد الإرسال.", "An entity of this kind already has this name: {name} (#{entity_id}). If this is a different entity with the same name, say so and send again."),
    "error.taken": ("اسم المستخدم مأخوذ (لا فرق بين الأحرف الكبيرة والصغيرة في الأسماء).", "This username is taken (upper and lower case count as the same)."),
}


# Counted messages: their forms other than the plain message (which is the "other" form), by
# CLDR plural category, in Arabic and in English. The count is the ``count`` parameter, or
# ``n`` when that is a number.
PLURALS: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "claims.count": ({"zero": "لا ادعاءات", "one": "ادعاء واحد", "two": "ادعاءان",
                      "few": "{n} ادعاءات", "many": "{n} ادعاءً"}, {"one": "{n} claim"}),
    "entity.alias_added": ({"zero": "أضيف الاسم البديل، ولم يتغير ربط أي ادعاء.",
                            "one": "أضيف الاسم البديل وأعيد ربط ادعاء واحد.",
                            "two": "أضيف الاسم البديل وأعيد ربط ادعاءين.",
                            "few": "أضيف الاسم البديل وأعيد ربط {n} ادعاءات.",
                            "many": "أضيف الاسم البديل وأعيد ربط {n} ادعاءً."},
                           {"one": "Alias added; 1 claim re-linked."}),
    "entity.alias_removed": ({"zero": "حذف الاسم البديل، ولم يتغير ربط أي ادعاء.",
                              "one": "حذف الاسم البديل وأعيد ربط ادعاء واحد.",
                              "two": "حذف الاسم البديل وأعيد ربط ادعاءين.",
                              "few": "حذف الاسم البديل وأعيد ربط {n} ادعاءات.",
                              "many": "حذف الاسم البديل وأعيد ربط {n} ادعاءً."},
                             {"one": "Alias removed; 1 claim re-linked."}),
}


def plural_category(count: int, lang: str) -> str:
    """The CLDR plural category of a whole number: Arabic has zero, one, two, few (3–10),
    many (11–99) and other (100, 101, …) forms; English has one and other."""
    if lang != "ar":
        return "one" if count == 1 else "other"
    if count in (0, 1, 2):
        return ("zero", "one", "two")[count]
    return "few" if 3 <= count % 100 <= 10 else "many" if count % 100 >= 11 else "other"


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """An English count with its noun in the right number ("1 claim", "3 claims"), for the
    command line, which speaks English only."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def register(messages: dict[str, tuple[str, str]],
             plurals: dict[str, tuple[dict[str, str], dict[str, str]]] | None = None) -> None:
    """Add a feature's (Arabic, English) strings, and the plural forms of its counted ones
    (see PLURALS), to the catalogue; keys must be new."""
    clash = messages.keys() & MESSAGES.keys()
    if clash:
        raise ValueError(f"message keys defined twice: {sorted(clash)}")
    MESSAGES.update(messages)
    PLURALS.update(plurals or {})


def translate(key: str, lang: str, **params: Any) -> str:
    """The message for ``key`` in ``lang``, formatted with ``params``; the key if unknown."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "ar" else pair[1]
    count = params.get("count", params.get("n"))
    if key in PLURALS and isinstance(count, int):
        forms = PLURALS[key][0 if lang == "ar" else 1]
        text = forms.get(plural_category(count, lang), text)
    return text.format(**params) if params else text


def describe(problem: Mapping[str, Any], lang: str) -> str:
    """A problem (``errors.problem``) as one line: where, the field, and what was wrong."""
    text = translate(f"error.{problem['code']}", lang, **problem.get("params", {}))
    if problem.get("field"):
        text = f"{problem['field']}: {text}"
    if problem.get("line") is not None:
        text = translate("problem.line", lang, line=problem["line"]) + text
    elif problem.get("item") is not None:
        text = f"#{problem['item']}: {text}"
    return text


def field_label(name: str) -> str:
    """A form field's name in the request's language (the field's own name if it has none)."""
    key = f"field.{name}"
    return gettext(key) if key in MESSAGES else name


def current_language() -> str:
    """The request's interface language: the session's choice, else the configured default."""
    if "lang" not in g:
        lang = session.get("lang") if request else None
        g.lang = lang if lang in LANGUAGES else current_app.config.get("DEFAULT_LANGUAGE", "ar")
    return str(g.lang)


def gettext(key: str, **params: Any) -> str:
    """Translate into the current request's language (the templates' ``_``)."""
    return translate(key, current_language(), **params)
