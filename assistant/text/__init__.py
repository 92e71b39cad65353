"""Text utilities every stage shares: cleaning what comes in at the door, and sentence
spans that index the original text (so quotes stay verbatim)."""

from .clean import clean_question, clean_text, printable
from .sentences import Sentence, split_sentences

__all__ = ["Sentence", "clean_question", "clean_text", "printable", "split_sentences"]
