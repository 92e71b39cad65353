"""The number check: a generated sentence must use the cited abstract's numbers, paired the same way."""

import dataclasses
import re

import pytest

from assistant.layout import BUNDLED_CORPUS
from assistant.corpus import load_corpus
from assistant.answering.numbers import NumberCheck, check_numbers
from assistant.text.sentences import split_sentences

# verbatim sentences of the bundled corpus (test_quotes_are_from_the_corpus checks it)
NASNET = ("On ImageNet, NASNet achieves, among the published works, state-of-the-art accuracy of 82.7% top-1 and "
          "96.2% top-5 on ImageNet.")
RESNETS = ("For example, sufficiently deep ResNets reach 82% (CIFAR-10) and 32% (ImageNet, top-5) accuracy in this "
           "configuration, far higher than when training an equivalent number of randomly chosen parameters "
           "elsewhere in the network.")
DUAL_SWIN = ("Particularly, our Dual-Swin-L achieves 59.4% box AP and 51.6% mask AP on COCO test-dev under the "
             "single-model and single-scale testing protocol, which is significantly better than the state-of-the-art "
             "result (57.7% box AP and 50.2% mask AP) achieved by Swin-L, while the training schedule is reduced by "
             "6times.")
DHVT = ("With this design, we successfully eliminate the performance gap between CNNs and ViTs, and our DHVT achieves "
        "a series of state-of-the-art performance with a lightweight model, 85.68% on CIFAR-100 with 22.8M parameters, "
        "82.3% on ImageNet-1K with 24.0M parameters.")
IBUGMASK = ("First, we introduce iBugMask dataset for face parsing in the wild, which consists of 21,866 training "
            "images and 1,000 testing images.")
UHDRR = ("The UHDRR4K dataset consists of 2,999 and 168 quadruplets of images for training and testing respectively, "
         "and the UHDRR8K dataset contains 1,014 and 105 quadruplets.")
SIMPLENET_AUROC = ("On the MVTec AD benchmark, SimpleNet achieves an anomaly detection AUROC of 99.6%, reducing the "
                   "error by 55.5% compared to the next best performing model.")
SIMPLENET_FPS = ("Furthermore, SimpleNet is faster than existing methods, with a high frame rate of 77 FPS on a 3080ti "
                 "GPU.")
ROTNET = ("For instance, in PASCAL VOC 2007 detection task our unsupervised pre-trained AlexNet model achieves the "
          "state-of-the-art (among unsupervised methods) mAP of 54.4% that is only 2.4 points lower from the "
          "supervised case.")
VOVNET = ("Our VoVNet based detectors outperform DenseNet based ones with 2x faster speed and the energy consumptions "
          "are reduced by 1.6x - 4.1x.")
AGVM = ("AGVM enables training an object detector with one billion parameters in just 3.5 hours, reducing the training "
        "time by 20.9x, whilst achieving 62.2 mAP on COCO.")
FARMS = ("In one of the LLM pruning experiments, FARMS reduces the perplexity of the LLaMA-7B model by 17.3% when "
         "compared with the state-of-the-art method.")
E3DSNN = ("Notably, our E-3DSNN (1.87M) obtained 91.7\\% top-1 accuracy on ModelNet40, surpassing the current best SNN "
          "baselines (14.3M) by 3.0\\%.")
MOVIELENS = ("For collaborative filtering, the approach is evaluated on the MovieLens 100K with a 5.1% improvement, on "
             "MovieLens 1M with a 5.4% improvement and on Book-Crossing with a 2.8% improvement, while for link "
             "prediction on the ogbl-ddi dataset with a 1.6% refinement with respect to the respective baselines.")
QUOTES = [NASNET, RESNETS, DUAL_SWIN, DHVT, IBUGMASK, UHDRR, SIMPLENET_AUROC, SIMPLENET_FPS, ROTNET, VOVNET, AGVM,
          FARMS, E3DSNN, MOVIELENS]


def short(value: object) -> str:  # readable test ids
    return re.sub(r"\W+", "_", str(value))[:32]


def check(claim: str, *sources: str) -> NumberCheck:
    return check_numbers(claim, list(sources))


def test_quotes_are_from_the_corpus():
    corpus = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in BUNDLED_CORPUS.glob("*.txt"))
    assert [q for q in QUOTES if q not in corpus] == []


def test_result_is_a_frozen_dataclass():
    result = check("SimpleNet reaches 99.6% AUROC.", SIMPLENET_AUROC)
    assert result == NumberCheck(ok=True, problems=[])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.ok = False  # type: ignore[misc]


def test_claims_without_numbers_pass():
    assert check("SimpleNet is a simple anomaly detector.", SIMPLENET_AUROC).ok
    assert check("It works well.").ok  # even with no sources at all


@pytest.mark.parametrize("source, claim", [
    (NASNET, "NASNet reaches 82.7% top-1 and 96.2% top-5 accuracy on ImageNet."),  # reordered, words dropped
    (RESNETS, "On ImageNet, deep ResNets reach 32% top-5 accuracy, and 82% on CIFAR-10."),  # clauses swapped
    (DUAL_SWIN, "On COCO test-dev, Dual-Swin-L obtains 51.6% mask AP and 59.4% box AP."),
    # Dual-Swin-L goes with both numbers, so it is no rival of COCO's
    (DUAL_SWIN, "On COCO test-dev, the model gets 51.6% mask AP and 59.4% box AP."),
    (DUAL_SWIN, "Swin-L reaches 57.7% box AP and 50.2% mask AP."),
    (DUAL_SWIN, "Dual-Swin-L beats Swin-L (57.7% box AP) with 59.4% box AP and a 6× shorter training schedule."),
    (DHVT, "DHVT reaches 85.7% on CIFAR-100 with 22.8M parameters and 82.3% on ImageNet-1K with 24.0M parameters."),
    (DHVT, "DHVT gets 82% on ImageNet-1K with 24 million parameters."),  # rounded to fewer decimals
    (IBUGMASK, "iBugMask has 21866 training images and 1000 test images."),  # 1,000 == 1000
    (IBUGMASK, "iBugMask has 21 866 training images and 1\u202f000 test images."),  # 1 000 == 1,000
    (UHDRR, "UHDRR4K has 2,999 training and 168 testing quadruplets, and UHDRR8K has 1,014 and 105."),
    (VOVNET, "VoVNet-based detectors are 2× faster than DenseNet-based ones and use 1.6x-4.1x less energy."),
    (SIMPLENET_AUROC, "SimpleNet reaches an AUROC of 99.6 % on MVTec AD and reduces the error by 55.5 %."),  # 50 %
    (AGVM, "AGVM trains a 1B-parameter detector in 3.5 h, 20.9× faster, reaching 62.2 mAP on COCO."),  # one billion
    (ROTNET, "On the 2007 edition of PASCAL VOC, AlexNet reaches 54.4% mAP."),  # the 2007 of "VOC 2007"
    (ROTNET, "Pre-trained without labels, AlexNet reaches 54.4% mAP on PASCAL VOC 2007, 2.4 points below supervision."),
    (E3DSNN, "E-3DSNN (1.87M parameters) reaches 91.7% top-1 accuracy on ModelNet40, 3% above SNN baselines (14.3M)."),
], ids=short)
def test_faithful_restatements_pass(source, claim):
    result = check(claim, source)
    assert result.ok, result.problems


@pytest.mark.parametrize("source, claim, problem", [
    (SIMPLENET_FPS, "SimpleNet runs at 120 FPS on a 3080ti GPU.", "120 FPS is not in the cited abstract"),
    (SIMPLENET_AUROC, "SimpleNet cuts the error by 55.5%, to 23.5%.", "23.5% is not in the cited abstract"),
    (IBUGMASK, "iBugMask has 21,866 training images, 1,000 test images and 500 validation images.",
     "500 is not in the cited abstract"),
    (NASNET, "NASNet reaches 82.7% top-1 accuracy with five times fewer parameters.",
     "five times is not in the cited abstract"),
], ids=short)
def test_invented_numbers_fail(source, claim, problem):
    assert check(claim, source) == NumberCheck(ok=False, problems=[problem])


@pytest.mark.parametrize("source, claim, problem", [
    (ROTNET, "AlexNet reaches 55.4% mAP on PASCAL VOC 2007.", "55.4% is not in the cited abstract"),
    (ROTNET, "AlexNet reaches 54.43% mAP on PASCAL VOC 2007.", "54.43% is not in the cited abstract"),  # too precise
    (ROTNET, "AlexNet reaches 54% mAP, 2 points below the supervised model.", None),  # rounding is allowed
    (DHVT, "DHVT gets 85.6% on CIFAR-100.", "85.6% is not in the cited abstract"),  # 85.68 rounds to 85.7
    (AGVM, "AGVM trains a detector with one million parameters.", "one million is not in the cited abstract"),
    (SIMPLENET_FPS, "SimpleNet takes 77 ms per image.", "77 ms is not in the cited abstract (it has 77 FPS)"),
    ("On LVIS, DiverGen achieves +1.1 box AP.", "On LVIS, DiverGen loses -1.1 box AP.",
     "-1.1 is not in the cited abstract"),
], ids=short)
def test_changed_numbers_fail(source, claim, problem):
    assert check(claim, source).problems == ([problem] if problem else [])


@pytest.mark.parametrize("source, faithful, swapped, problem", [
    (NASNET, "NASNet reaches 82.7% top-1 and 96.2% top-5 accuracy on ImageNet.",
     "NASNet reaches 96.2% top-1 and 82.7% top-5 accuracy on ImageNet.",
     "96.2% is paired with 'top-1' in the claim but with 'top-5' in the source"),
    (RESNETS, "Deep ResNets reach 82% on CIFAR-10 and 32% on ImageNet.",
     "Deep ResNets reach 82% on ImageNet and 32% on CIFAR-10.",
     "82% is paired with 'ImageNet' in the claim but with 'CIFAR-10' in the source"),
    (DHVT, "DHVT reaches 85.68% on CIFAR-100 and 82.3% on ImageNet-1K.",
     "DHVT reaches 82.3% on CIFAR-100 and 85.68% on ImageNet-1K.",
     "82.3% is paired with 'CIFAR-100' in the claim but with 'ImageNet-1K' in the source"),
    (DUAL_SWIN, "Dual-Swin-L obtains 59.4% box AP and 51.6% mask AP on COCO test-dev.",
     "Dual-Swin-L obtains 51.6% box AP and 59.4% mask AP on COCO test-dev.",
     "51.6% is paired with 'box' in the claim but with 'mask' in the source"),
    (SIMPLENET_AUROC, "SimpleNet reaches an AUROC of 99.6% and reduces the error by 55.5%.",
     "SimpleNet reaches an AUROC of 55.5% and reduces the error by 99.6%.",
     "55.5% is paired with 'auroc' in the claim but with 'error' in the source"),
    (IBUGMASK, "iBugMask has 21,866 training images and 1,000 test images.",
     "iBugMask has 1,000 training images and 21,866 test images.",
     "1,000 is paired with 'train' in the claim but with 'test' in the source"),
    (UHDRR, "UHDRR4K has 2,999 training and 168 test quadruplets.",  # "respectively" pairs them in order
     "UHDRR4K has 168 training and 2,999 test quadruplets.",
     "168 is paired with 'train' in the claim but with 'test' in the source"),
    (MOVIELENS, "It improves by 5.1% on MovieLens 100K and by 5.4% on MovieLens 1M.",
     "It improves by 5.4% on MovieLens 100K and by 5.1% on MovieLens 1M.",
     "5.4% is paired with 'MovieLens 100K' in the claim but with 'MovieLens 1M' in the source"),
    (E3DSNN, "E-3DSNN reaches 91.7% top-1 accuracy on ModelNet40 with 1.87M parameters.",
     "E-3DSNN reaches 91.7% top-1 accuracy on ModelNet40 with 14.3M parameters.",
     "14.3M is paired with 'ModelNet40' in the claim but with 'SNN' in the source"),
], ids=short)
def test_swapped_numbers_fail(source, faithful, swapped, problem):
    assert check(faithful, source).ok, check(faithful, source).problems  # same words, right pairs
    result = check(swapped, source)
    assert not result.ok and problem in result.problems


def test_regrouped_dataset_counts_fail():
    """The reported case: one dataset's training count, and another dataset's count as its test count."""
    right = "iBugMask has 21,866 training images and 1,000 test images, and UHDRR4K has 168 test quadruplets."
    assert check(right, IBUGMASK, UHDRR).ok
    regrouped = check("The iBugMask dataset has 21,866 training images and 168 testing images.", IBUGMASK, UHDRR)
    assert regrouped.problems == ["168 is paired with 'iBugMask' in the claim but with 'UHDRR4K' in the source"]
    in_one_sentence = check("UHDRR4K has 2,999 training and 105 test quadruplets.", UHDRR)
    assert in_one_sentence.problems == ["105 is paired with 'UHDRR4K' in the claim but with 'UHDRR8K' in the source"]


def test_regrouped_counts_fail_in_the_reported_shape():
    # the reported evidence, with stand-in numbers: X training images of one dataset, Y test images of another
    evidence = ["The MVTec AD dataset contains 3,629 training images.", "The VisA dataset contains 2,162 test images."]
    assert check("MVTec AD contains 3,629 training images and VisA contains 2,162 test images.", *evidence).ok
    result = check("MVTec AD contains 3,629 training and 2,162 test images.", *evidence)
    assert result.problems == ["2,162 is paired with 'MVTec' in the claim but with 'VisA' in the source"]


@pytest.mark.parametrize("source, claim", [
    (ROTNET, "On PASCAL VOC 2007, the rotation-pretrained AlexNet reaches 54.4% mAP."),
    (ROTNET, "On VOC2007, the rotation-pretrained AlexNet reaches 54.4% mAP."),
    (FARMS, "FARMS lowers the perplexity of LLaMA-7B by 17.3% [2]."),
    (FARMS, "FARMS lowers the perplexity of LLaMA 7B by 17.3%."),
    (SIMPLENET_FPS, "SimpleNet runs at 77 FPS on a 3080ti GPU, faster than a ResNet-50 or GPT-4 would."),
    ("We distil BERT-base into T5 and Llama 2 for 3D and 2D scenes.", "Llama 2 and T5 learn from BERT-base in 3D."),
    ("ResNet-50 reaches 76.1% top-1 on ImageNet-2012 (He et al., 2016).", "ResNet50 reaches 76.1% top-1 accuracy."),
], ids=short)
def test_names_with_digits_are_not_numbers(source, claim):
    result = check(claim, source)
    assert result.ok, result.problems


@pytest.mark.parametrize("source, claim, problem", [
    (ROTNET, "AlexNet reaches 54.4% mAP on PASCAL VOC 2012.",
     "VOC 2012 is not in the cited abstract (it has VOC 2007)"),
    (FARMS, "FARMS lowers LLaMA-13B perplexity by 17.3%.", "LLaMA-13B is not in the cited abstract (it has LLaMA-7B)"),
], ids=short)
def test_names_with_other_digits_fail(source, claim, problem):
    assert check(claim, source).problems == [problem]


def test_citation_markers_years_and_list_markers_are_not_numbers():
    source = "We propose a loss and a sampler, which together reach 91.2% accuracy."
    assert check("In 2023 they proposed (1) a loss and (2) a sampler [1], reaching 91.2% accuracy [2, 3].", source).ok
    assert not check("They proposed 1 loss and 2 samplers, reaching 91.2% accuracy.", source).ok


def test_a_claim_may_combine_two_evidence_sentences():
    claim = "SimpleNet reaches 99.6% AUROC on MVTec AD and runs at 77 FPS."
    assert check(claim, SIMPLENET_AUROC, SIMPLENET_FPS).ok
    assert check(claim, SIMPLENET_AUROC).problems == ["77 FPS is not in the cited abstract"]
    assert check(claim, SIMPLENET_FPS).problems == ["99.6% is not in the cited abstract"]
    assert check(claim, f"{SIMPLENET_AUROC} {SIMPLENET_FPS}").ok  # a whole abstract as one string


def test_every_corpus_sentence_passes_against_its_own_abstract():
    papers = load_corpus(sorted(BUNDLED_CORPUS.glob("*.txt"))).papers
    sentences = [(s.text, p.abstract) for p in papers for s in split_sentences(p.abstract) if re.search(r"\d", s.text)]
    assert len(sentences) > 200
    assert [(s, check(s, a).problems) for s, a in sentences if not check(s, a).ok] == []
